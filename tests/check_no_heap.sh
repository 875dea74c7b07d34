#!/usr/bin/env bash
# Fail when any object under the given folders refers to the heap allocator.
set -u
NM=${NM:-nm}
bad=0
count=0
for d in "$@"; do
    while IFS= read -r o; do
        count=$((count + 1))
        hits=$($NM -u "$o" | awk '{print $NF}' | grep -Ex '(malloc|calloc|realloc|free|reallocarray|aligned_alloc|posix_memalign|strdup|strndup)' || true)
        if [ -n "$hits" ]; then
            echo "FAIL heap use in $o: $(echo $hits)"
            bad=1
        fi
    done < <(find "$d" -name '*.o')
done
if [ "$count" -eq 0 ]; then
    echo "FAIL check_no_heap: no objects found in $*"
    exit 1
fi
[ "$bad" -eq 0 ] && echo "check_no_heap: $count objects, none refers to the heap allocator"
exit $bad
