"""Test certificates for the SiteGPT mock, made at test time with the `openssl` command.

make_certs(dir) writes, once per folder (reused when complete):
  ca.pem / ca.key             test CA the client is told to trust
  server.pem / server.key     DNS:localhost, IP:127.0.0.1, IP:::1, signed by the test CA
  rogue-ca.pem / rogue-ca.key a second CA the client does not trust
  rogue.pem / rogue.key       the same names, signed by the rogue CA
  wronghost.pem / .key        signed by the test CA but for DNS:wrong.invalid only
  expired.pem / .key          localhost, signed by the test CA, valid 2020-01-01..2021-01-01
  future.pem / .key           localhost, signed by the test CA, valid from 2090
  selfsigned.pem / .key       localhost, signed by itself
  inter-ca.pem / .key         an intermediate CA under the test CA
  chained.pem / .key          localhost, signed by the intermediate, served without it
Keys are ECDSA P-256 by default, RSA 2048 with key="rsa" (one key type per folder).
"""
import os
import shutil
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class CertSet:
    dir: str
    key_type: str
    ca_file: str
    ca_key: str
    cert_file: str
    key_file: str
    rogue_ca_file: str
    rogue_cert_file: str
    rogue_key_file: str
    wronghost_cert_file: str
    wronghost_key_file: str

    def pair(self, which="server"):
        """(cert, key) for "server", "rogue", "wronghost", "expired", "future", "selfsigned"
        or "chained" (a leaf whose intermediate is not served)."""
        if which == "server":
            return self.cert_file, self.key_file
        if which in ("rogue", "wronghost", "expired", "future", "selfsigned", "chained"):
            return (os.path.join(self.dir, which + ".pem"), os.path.join(self.dir, which + ".key"))
        raise KeyError(which)


def _openssl(*args, cwd):
    # Output is key material chatter only; keep it off the test log unless it fails.
    res = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], res.stderr.strip()[-400:]))


def _newkey_args(key_type):
    if key_type == "ec":
        return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    if key_type == "rsa":
        return ["-newkey", "rsa:2048"]
    raise ValueError("key_type must be 'ec' or 'rsa'")


def _make_ca(d, name, cn, key_type):
    _openssl("req", "-x509", *_newkey_args(key_type), "-nodes", "-sha256", "-days", "3650",
             "-keyout", name + ".key", "-out", name + ".pem", "-subj", "/O=sitegpt-mock/CN=" + cn,
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-addext", "subjectKeyIdentifier=hash", cwd=d)


def _make_leaf(d, name, ca, san, key_type):
    _leaf_ext(d, name, san, key_type, key_ids=True)
    _openssl("req", "-new", *_newkey_args(key_type), "-nodes", "-sha256",
             "-keyout", name + ".key", "-out", name + ".csr",
             "-subj", "/O=sitegpt-mock/CN=" + san.split(",")[0].split(":", 1)[1], cwd=d)
    _openssl("x509", "-req", "-sha256", "-days", "825", "-in", name + ".csr",
             "-CA", ca + ".pem", "-CAkey", ca + ".key", "-set_serial",
             str(int.from_bytes(os.urandom(8), "big")), "-extfile", name + ".ext",
             "-out", name + ".pem", cwd=d)
    for leftover in (name + ".csr", name + ".ext"):
        os.unlink(os.path.join(d, leftover))


def _leaf_ext(d, name, san, key_type, key_ids=False):
    """Write <name>.ext, a server leaf's extensions (key identifiers when key_ids); its path."""
    ext = os.path.join(d, name + ".ext")
    usage = "digitalSignature" + (",keyEncipherment" if key_type == "rsa" else "")
    ids = "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n" if key_ids else ""
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,%s\n"
                "extendedKeyUsage=serverAuth\n"
                "%s"
                "subjectAltName=%s\n" % (usage, ids, san))
    return ext


def _make_dated_leaf(d, name, ca, san, key_type, start, end):
    """A leaf with a chosen validity (`openssl x509` in 3.0 cannot set dates; `openssl ca` can)."""
    ext = _leaf_ext(d, name, san, key_type)
    with open(os.path.join(d, name + ".cnf"), "w") as f:
        f.write("[ca]\ndefault_ca=d\n[d]\ndatabase=%s.idx\nnew_certs_dir=%s.new\n"
                "serial=%s.srl\ndefault_md=sha256\npolicy=p\nunique_subject=no\n"
                "[p]\ncommonName=supplied\n" % (name, name, name))
    os.makedirs(os.path.join(d, name + ".new"), exist_ok=True)
    open(os.path.join(d, name + ".idx"), "w").close()
    with open(os.path.join(d, name + ".srl"), "w") as f:
        f.write("%016X\n" % int.from_bytes(os.urandom(7), "big"))
    _openssl("req", "-new", *_newkey_args(key_type), "-nodes", "-sha256",
             "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=localhost", cwd=d)
    _openssl("ca", "-batch", "-config", name + ".cnf", "-cert", ca + ".pem", "-keyfile",
             ca + ".key", "-in", name + ".csr", "-out", name + ".pem", "-startdate", start,
             "-enddate", end, "-extfile", ext, "-notext", cwd=d)
    shutil.rmtree(os.path.join(d, name + ".new"))  # the copy `openssl ca` keeps by serial
    for leftover in os.listdir(d):
        if leftover.startswith(name + ".") and leftover.split(".", 1)[1] not in ("pem", "key"):
            os.unlink(os.path.join(d, leftover))


def _make_self_signed_leaf(d, name, san, key_type):
    _openssl("req", "-x509", *_newkey_args(key_type), "-nodes", "-sha256", "-days", "825",
             "-keyout", name + ".key", "-out", name + ".pem", "-subj", "/CN=localhost",
             "-addext", "basicConstraints=critical,CA:FALSE",
             "-addext", "extendedKeyUsage=serverAuth",
             "-addext", "subjectAltName=" + san, cwd=d)


def _make_intermediate(d, name, ca, cn, key_type):
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:TRUE,pathlen:0\n"
                "keyUsage=critical,keyCertSign,cRLSign\n"
                "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
    _openssl("req", "-new", *_newkey_args(key_type), "-nodes", "-sha256",
             "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/O=sitegpt-mock/CN=" + cn,
             cwd=d)
    _openssl("x509", "-req", "-sha256", "-days", "3650", "-in", name + ".csr",
             "-CA", ca + ".pem", "-CAkey", ca + ".key", "-set_serial",
             str(int.from_bytes(os.urandom(8), "big")), "-extfile", ext,
             "-out", name + ".pem", cwd=d)
    for leftover in (name + ".csr", name + ".ext"):
        os.unlink(os.path.join(d, leftover))


def make_certs(d, key="ec"):
    """Create (or reuse) the certificate set in folder d; returns a CertSet."""
    d = os.path.abspath(d)  # openssl runs inside d, so paths made from d must not be relative
    os.makedirs(d, exist_ok=True)
    cs = CertSet(
        dir=d, key_type=key,
        ca_file=os.path.join(d, "ca.pem"), ca_key=os.path.join(d, "ca.key"),
        cert_file=os.path.join(d, "server.pem"), key_file=os.path.join(d, "server.key"),
        rogue_ca_file=os.path.join(d, "rogue-ca.pem"),
        rogue_cert_file=os.path.join(d, "rogue.pem"), rogue_key_file=os.path.join(d, "rogue.key"),
        wronghost_cert_file=os.path.join(d, "wronghost.pem"),
        wronghost_key_file=os.path.join(d, "wronghost.key"))
    stamp = os.path.join(d, ".complete-v2-" + key)  # v2: with the dated, self-signed, chained
    if os.path.exists(stamp):
        return cs
    if any(n.startswith(".complete-") and not n.endswith("-" + key) for n in os.listdir(d)):
        raise ValueError("%s already holds certificates of another key type" % d)
    san = "DNS:localhost,IP:127.0.0.1,IP:::1"
    _make_ca(d, "ca", "sitegpt-mock test CA", key)
    _make_leaf(d, "server", "ca", san, key)
    _make_ca(d, "rogue-ca", "sitegpt-mock rogue CA", key)
    _make_leaf(d, "rogue", "rogue-ca", san, key)
    _make_leaf(d, "wronghost", "ca", "DNS:wrong.invalid", key)
    _make_dated_leaf(d, "expired", "ca", san, key, "20200101000000Z", "20210101000000Z")
    _make_dated_leaf(d, "future", "ca", san, key, "20900101000000Z", "20910101000000Z")
    _make_self_signed_leaf(d, "selfsigned", san, key)
    _make_intermediate(d, "inter-ca", "ca", "sitegpt-mock intermediate CA", key)
    _make_leaf(d, "chained", "inter-ca", san, key)
    for name in os.listdir(d):
        if name.endswith(".key"):
            os.chmod(os.path.join(d, name), 0o600)
    with open(stamp, "w") as f:
        f.write("ok\n")
    return cs


if __name__ == "__main__":
    import sys
    out = make_certs(sys.argv[1] if len(sys.argv) > 1 else "build/mock-certs",
                     sys.argv[2] if len(sys.argv) > 2 else "ec")
    print(out.ca_file)
