"""A real IMAP server on a free 127.0.0.1 port: pymap (in-memory backend) in a subprocess,
with STARTTLS on a self-signed certificate generated for the test."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from imapclient import IMAPClient

from tests.smtp_server import free_port

USER = "demouser"
PASSWORD = "demopass"


@dataclass
class ImapServer:
    """The running server: where it listens and the CA file that trusts its certificate."""

    port: int
    cert_file: Path
    process: subprocess.Popen

    def ssl_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only this server's certificate."""
        return ssl.create_default_context(cafile=str(self.cert_file))

    @contextmanager
    def client(self) -> Iterator[IMAPClient]:
        """A logged-in client for the test's own set-up and checks (not the code under test)."""
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.starttls(self.ssl_context())
        client.login(USER, PASSWORD)
        try:
            yield client
        finally:
            client.logout()

    def deliver(self, raw: bytes, folder: str = "INBOX", flags: tuple = ()) -> None:
        """Put a message in the mailbox as the mail server would."""
        with self.client() as client:
            client.append(folder, raw, flags=flags)

    def uids(self, folder: str) -> list[int]:
        with self.client() as client:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            return sorted(client.search("ALL"))

    def messages(self, folder: str) -> list[bytes]:
        with self.client() as client:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            uids = sorted(client.search("ALL"))
            fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [fetched[uid][b"BODY[]"] for uid in uids]


def write_self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1/localhost and its key, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "imap-cert.pem", folder / "imap-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@contextmanager
def running_imap_server(folder: Path) -> Iterator[ImapServer]:
    """Start pymap on a free port, wait until it accepts connections, empty the demo INBOX."""
    cert_file, key_file = write_self_signed_certificate(folder)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pymap.main import main; sys.exit(main())", "--host", "127.0.0.1", "--port", str(port),
         "--cert", str(cert_file), "--key", str(key_file), "--no-service", "admin",
         "dict", "--demo-data", "--demo-user", USER, "--demo-password", PASSWORD],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        _wait_until_listening(process, port)
        server = ImapServer(port, cert_file, process)
        with server.client() as client:  # the demo data is not ours to process
            client.select_folder("INBOX")
            uids = client.search("ALL")
            if uids:
                client.delete_messages(uids)
                client.expunge()
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _wait_until_listening(process: subprocess.Popen, port: int) -> None:
    for _attempt in range(400):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            pass
        # Waiting on the process (not sleeping) also notices a server that failed to start.
        try:
            process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        raise RuntimeError(f"pymap exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
    raise RuntimeError("pymap did not start listening within 20 s")
