"""First-run HTTPS for the office network (`manage.py serve --https`).

On the first run a small certificate authority of this installation is made (var/tls/ca.crt,
valid 10 years; its key ca.key mode 600) and a server certificate signed by it for the names
and addresses the office will type (server.crt / server.key, mode 600, 825 days — the longest
phones accept). Office PCs and phones trust ca.crt once (docs/USER_GUIDE.md); its SHA-256
fingerprint is printed so the office can check that the file they install is this one.

Later runs reuse the files. The server certificate alone is re-issued (same authority, nothing
to re-install) when it nears its end or when an address is not in it (the PC got a new IP).
Keys are ECDSA P-256: every browser and phone takes them (SM2 certificates are not accepted by
ordinary browsers).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

CA_DAYS = 3650
SERVER_DAYS = 825
RENEW_BEFORE_DAYS = 30
CA_NAME = "基层党建工作台 本机证书颁发机构"


@dataclass(frozen=True)
class TlsFiles:
    cert: Path  # the server certificate (for gunicorn / a reverse proxy)
    key: Path
    ca_cert: Path  # what office PCs and phones install
    fingerprint: str  # SHA-256 of ca.crt, AA:BB:…
    names: tuple[str, ...]  # host names and addresses in the server certificate
    made: str  # "" reused; "new" first run; "reissued" a new server certificate, same authority


def local_names(host: str = "", extra: tuple[str, ...] = ()) -> list[str]:
    """What people may type to reach this PC: localhost, loopback, the host bound, the PC's
    name and its network addresses, and the configured site address."""
    names = ["localhost", "127.0.0.1"]
    if host and host not in ("0.0.0.0", "::"):
        names.append(host)
    else:
        hostname = socket.gethostname()
        names.append(hostname)
        with contextlib.suppress(OSError):
            names += socket.gethostbyname_ex(hostname)[2]
        # the address of the default route (a UDP "connect" sends nothing)
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            names.append(s.getsockname()[0])
    names += [n for n in extra if n]
    return list(dict.fromkeys(n for n in names if n and not n.startswith("127.") or n == "127.0.0.1"))


def _fingerprint(cert) -> str:
    from cryptography.hazmat.primitives import hashes

    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _san(names):
    from cryptography import x509

    out = []
    for n in names:
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(n)))
        except ValueError:
            out.append(x509.DNSName(n))
    return x509.SubjectAlternativeName(out)


def _names_in(cert) -> set[str]:
    from cryptography import x509

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {str(v) for v in san.get_values_for_type(x509.IPAddress)} | set(san.get_values_for_type(x509.DNSName))


def _new_ca(directory: Path, now):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(
        directory / "ca.key",
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )
    (directory / "ca.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    os.chmod(directory / "ca.crt", 0o644)  # public: it is what the office copies to phones
    return cert, key


def _new_server(directory: Path, ca_cert, ca_key, names, now):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(_san(names), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(
        directory / "server.key",
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )
    _write_private(directory / "server.crt", cert.public_bytes(serialization.Encoding.PEM))
    return cert


def ensure_certificate(directory: Path, names: list[str], *, now: dt.datetime | None = None) -> TlsFiles:
    """The certificate files under `directory`, made on the first run and reused after."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    now = now or dt.datetime.now(dt.UTC)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    ca_crt, ca_key_file, crt, key = (directory / n for n in ("ca.crt", "ca.key", "server.crt", "server.key"))
    made = ""
    ca_cert = ca_key = None
    if ca_crt.is_file() and ca_key_file.is_file():
        ca_cert = x509.load_pem_x509_certificate(ca_crt.read_bytes())
        ca_key = serialization.load_pem_private_key(ca_key_file.read_bytes(), password=None)
        if ca_cert.not_valid_after_utc < now + dt.timedelta(days=RENEW_BEFORE_DAYS):
            ca_cert = ca_key = None  # the authority itself ends: a new one, to be trusted again
    if ca_cert is None:
        ca_cert, ca_key = _new_ca(directory, now)
        made = "new"
    server = None
    if not made and crt.is_file() and key.is_file():
        server = x509.load_pem_x509_certificate(crt.read_bytes())
        fresh = server.not_valid_after_utc > now + dt.timedelta(days=RENEW_BEFORE_DAYS)
        if not fresh or server.issuer != ca_cert.subject or not set(names) <= _names_in(server):
            names = list(dict.fromkeys([*names, *sorted(_names_in(server))])) if fresh else names
            server = None
    if server is None:
        server = _new_server(directory, ca_cert, ca_key, names, now)
        made = made or "reissued"
    return TlsFiles(
        cert=crt,
        key=key,
        ca_cert=ca_crt,
        fingerprint=_fingerprint(ca_cert),
        names=tuple(sorted(_names_in(server))),
        made=made,
    )
