"""Encrypting secrets at rest (mailbox refresh tokens) with ENCRYPTION_KEY.

ENCRYPTION_KEY is one Fernet key or several separated by commas: the first encrypts, every one can
decrypt, so a key is rotated by putting the new key first, re-encrypting (`rotate`), then dropping
the old one. Fernet authenticates as well as encrypts: a tampered or foreign value fails to decrypt
instead of yielding garbage. Nothing here logs plaintext, ciphertext or keys.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from addin_server.config import Settings


class SecretsBoxError(Exception):
    """Secrets at rest cannot be encrypted or decrypted (a configuration or data problem)."""


class EncryptionKeyMissing(SecretsBoxError):
    pass


class CannotDecrypt(SecretsBoxError):
    pass


def generate_encryption_key() -> str:
    """A new key suitable for ENCRYPTION_KEY."""
    return Fernet.generate_key().decode("ascii")


class SecretsBox:
    """Encrypts and decrypts short secrets with the configured key list."""

    def __init__(self, encryption_key: str) -> None:
        raw_keys = [part.strip() for part in encryption_key.split(",") if part.strip()]
        if not raw_keys:
            raise EncryptionKeyMissing(
                "ENCRYPTION_KEY is not set: mailbox tokens cannot be stored. Generate one with "
                '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.'
            )
        try:
            fernets = [Fernet(key) for key in raw_keys]
        except ValueError as exc:
            # Never include the key itself in the message.
            raise EncryptionKeyMissing(
                "ENCRYPTION_KEY is malformed: each comma-separated key must be a Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from exc
        self._box = MultiFernet(fernets)

    def encrypt(self, text: str) -> str:
        return self._box.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, text: str) -> str:
        try:
            return self._box.decrypt(text.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise CannotDecrypt("The stored secret cannot be decrypted with any configured key.") from exc

    def rotate(self, text: str) -> str:
        """Re-encrypt a stored value under the first (current) key."""
        try:
            return self._box.rotate(text.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError) as exc:
            raise CannotDecrypt("The stored secret cannot be decrypted with any configured key.") from exc


def secrets_box(settings: Settings) -> SecretsBox:
    return SecretsBox(settings.encryption_key)


def encrypt(text: str, settings: Settings) -> str:
    """Ciphertext (URL-safe text) for storing `text`."""
    return secrets_box(settings).encrypt(text)


def decrypt(text: str, settings: Settings) -> str:
    """The plaintext of a value made by `encrypt`, with any configured key."""
    return secrets_box(settings).decrypt(text)
