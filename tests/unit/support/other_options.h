/*
 * Options unlike the library's defaults, for test_layout_mismatch: an application built with
 * these against a default library must be refused by sg_check_layout().
 */
#ifndef OTHER_OPTIONS_H
#define OTHER_OPTIONS_H

#define SG_HOST_MAX             64
#define SG_ENVELOPE_MESSAGE_MAX 128

#endif /* OTHER_OPTIONS_H */
