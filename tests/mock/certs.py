"""Test certificates for the SiteGPT mock, made at test time with the `openssl` command.

make_certs(dir) writes, once per folder (reused when complete):
  ca.pem / ca.key             test CA the client is told to trust
  server.pem / server.key     DNS:localhost, IP:127.0.0.1, IP:::1, signed by the test CA
  rogue-ca.pem / rogue-ca.key a second CA the client does not trust
  rogue.pem / rogue.key       the same names, signed by the rogue CA
  wronghost.pem / .key        signed by the test CA but for DNS:wrong.invalid only
Keys are ECDSA P-256 by default, RSA 2048 with key="rsa" (one key type per folder).
"""
import os
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
        """(cert, key) for "server", "rogue" or "wronghost"."""
        return {
            "server": (self.cert_file, self.key_file),
            "rogue": (self.rogue_cert_file, self.rogue_key_file),
            "wronghost": (self.wronghost_cert_file, self.wronghost_key_file),
        }[which]


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
    ext = os.path.join(d, name + ".ext")
    usage = "digitalSignature" + (",keyEncipherment" if key_type == "rsa" else "")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,%s\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\n"
                "authorityKeyIdentifier=keyid\n"
                "subjectAltName=%s\n" % (usage, san))
    _openssl("req", "-new", *_newkey_args(key_type), "-nodes", "-sha256",
             "-keyout", name + ".key", "-out", name + ".csr",
             "-subj", "/O=sitegpt-mock/CN=" + san.split(",")[0].split(":", 1)[1], cwd=d)
    _openssl("x509", "-req", "-sha256", "-days", "825", "-in", name + ".csr",
             "-CA", ca + ".pem", "-CAkey", ca + ".key", "-set_serial",
             str(int.from_bytes(os.urandom(8), "big")), "-extfile", name + ".ext",
             "-out", name + ".pem", cwd=d)
    for leftover in (name + ".csr", name + ".ext"):
        os.unlink(os.path.join(d, leftover))


def make_certs(d, key="ec"):
    """Create (or reuse) the certificate set in folder d; returns a CertSet."""
    os.makedirs(d, exist_ok=True)
    cs = CertSet(
        dir=d, key_type=key,
        ca_file=os.path.join(d, "ca.pem"), ca_key=os.path.join(d, "ca.key"),
        cert_file=os.path.join(d, "server.pem"), key_file=os.path.join(d, "server.key"),
        rogue_ca_file=os.path.join(d, "rogue-ca.pem"),
        rogue_cert_file=os.path.join(d, "rogue.pem"), rogue_key_file=os.path.join(d, "rogue.key"),
        wronghost_cert_file=os.path.join(d, "wronghost.pem"),
        wronghost_key_file=os.path.join(d, "wronghost.key"))
    stamp = os.path.join(d, ".complete-" + key)
    if os.path.exists(stamp):
        return cs
    if any(n.startswith(".complete-") for n in os.listdir(d)):
        raise ValueError("%s already holds certificates of another key type" % d)
    san = "DNS:localhost,IP:127.0.0.1,IP:::1"
    _make_ca(d, "ca", "sitegpt-mock test CA", key)
    _make_leaf(d, "server", "ca", san, key)
    _make_ca(d, "rogue-ca", "sitegpt-mock rogue CA", key)
    _make_leaf(d, "rogue", "rogue-ca", san, key)
    _make_leaf(d, "wronghost", "ca", "DNS:wrong.invalid", key)
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
