"""Test PKI made fresh on every start with trustme (ECDSA P-256 keys: fast to make, and
the cheapest handshakes on microcontrollers).

make_pki(workdir) writes the files and returns (cfg entries, server file paths).
PEM goes to CPython tests; DER (and base64 of DER) is what MicroPython's tls accepts.
"""
import base64
import hashlib
import os

import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption, PrivateFormat,
                                                          PublicFormat, load_pem_private_key)


def _cert_der(pem):
    return x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)


def _key_der(pem):
    # Same key as the PEM (SEC1 "EC PRIVATE KEY"), DER encoded; mbedTLS parses it.
    key = load_pem_private_key(pem, None)
    return key.private_bytes(Encoding.DER, PrivateFormat.TraditionalOpenSSL, NoEncryption())


def spki_sha256_b64(cert_pem):
    """base64(SHA-256(SubjectPublicKeyInfo DER)): the curl/OpenHarmony pin format."""
    spki = x509.load_pem_x509_certificate(cert_pem).public_key().public_bytes(
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def make_pki(workdir, host="127.0.0.1"):
    ca, other_ca = trustme.CA(), trustme.CA()
    server = ca.issue_cert(*dict.fromkeys(["127.0.0.1", "localhost", host]))
    wronghost = ca.issue_cert("example.invalid")
    client = ca.issue_cert("client.peers.invalid", common_name="peers-client")

    def write(name, data):
        path = os.path.join(workdir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    cfg = {}

    def put(prefix, filename, pem, der):
        cfg[prefix + "_pem"] = pem.decode()
        cfg[prefix + "_der_b64"] = base64.b64encode(der).decode()
        cfg[prefix + "_pem_path"] = write(filename + ".pem", pem)
        cfg[prefix + "_der_path"] = write(filename + ".der", der)

    ca_pem, other_pem = ca.cert_pem.bytes(), other_ca.cert_pem.bytes()
    put("ca", "ca", ca_pem, _cert_der(ca_pem))
    put("other_ca", "other_ca", other_pem, _cert_der(other_pem))
    client_cert = client.cert_chain_pems[0].bytes()
    client_key = client.private_key_pem.bytes()
    put("client_cert", "client_cert", client_cert, _cert_der(client_cert))
    put("client_key", "client_key", client_key, _key_der(client_key))
    cfg["spki_sha256_b64"] = spki_sha256_b64(server.cert_chain_pems[0].bytes())

    # for netstack.socket's TLS tests: a certificate from the test CA that expired
    # yesterday, and a self-signed one (its own issuer, in no trust store)
    import datetime
    now = datetime.datetime.now(datetime.timezone.utc)
    expired = ca.issue_cert("127.0.0.1", "localhost", not_before=now - datetime.timedelta(days=30),
                            not_after=now - datetime.timedelta(days=1))
    selfsigned = trustme.CA()  # its own certificate, signed by its own key: trusted by nobody

    files = {
        "expired": write("expired.pem", expired.private_key_and_cert_chain_pem.bytes()),
        "selfsigned": write("selfsigned.pem", selfsigned.private_key_pem.bytes() +
                            selfsigned.cert_pem.bytes()),
        "ca": cfg["ca_pem_path"],
        # key + certificate in one PEM file: what gunicorn and ssl.load_cert_chain take
        "server": write("server.pem", server.private_key_and_cert_chain_pem.bytes()),
        "wronghost": write("wronghost.pem", wronghost.private_key_and_cert_chain_pem.bytes()),
    }
    return cfg, files
