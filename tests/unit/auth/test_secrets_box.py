"""Refresh tokens encrypted at rest with ENCRYPTION_KEY (Fernet, rotation with several keys)."""

from __future__ import annotations

import pytest

from addin_server.auth.secrets_box import (
    CannotDecrypt,
    EncryptionKeyMissing,
    SecretsBox,
    decrypt,
    encrypt,
    generate_encryption_key,
)
from addin_server.config import Settings

REFRESH_TOKEN = "1//0gRefreshTokenForUnitTestsOnly-abcdefghijklmnopqrstuvwxyz"
OLD_KEY = generate_encryption_key()
NEW_KEY = generate_encryption_key()


def test_a_refresh_token_round_trips_and_is_not_stored_in_clear() -> None:
    settings = Settings(encryption_key=OLD_KEY)
    stored = encrypt(REFRESH_TOKEN, settings)
    assert REFRESH_TOKEN not in stored
    assert decrypt(stored, settings) == REFRESH_TOKEN


def test_values_stored_under_the_old_key_still_decrypt_after_rotation() -> None:
    stored_before = encrypt(REFRESH_TOKEN, Settings(encryption_key=OLD_KEY))
    rotated = Settings(encryption_key=f"{NEW_KEY}, {OLD_KEY}")
    assert decrypt(stored_before, rotated) == REFRESH_TOKEN
    re_encrypted = SecretsBox(rotated.encryption_key).rotate(stored_before)
    assert decrypt(re_encrypted, Settings(encryption_key=NEW_KEY)) == REFRESH_TOKEN


def test_new_values_are_encrypted_with_the_first_key() -> None:
    stored = encrypt(REFRESH_TOKEN, Settings(encryption_key=f"{NEW_KEY},{OLD_KEY}"))
    assert decrypt(stored, Settings(encryption_key=NEW_KEY)) == REFRESH_TOKEN
    with pytest.raises(CannotDecrypt):
        decrypt(stored, Settings(encryption_key=OLD_KEY))


UNUSABLE_KEYS = {
    "no ENCRYPTION_KEY is a clear configuration error": "",
    "only commas and spaces is a clear configuration error": " , ",
    "a key that is not a Fernet key is a clear configuration error": "not-a-real-key",
}


@pytest.mark.parametrize("key", UNUSABLE_KEYS.values(), ids=UNUSABLE_KEYS.keys())
def test_an_unusable_key_is_a_clear_error_that_does_not_echo_it(key) -> None:
    with pytest.raises(EncryptionKeyMissing) as caught:
        encrypt(REFRESH_TOKEN, Settings(encryption_key=key))
    assert "ENCRYPTION_KEY" in str(caught.value)
    assert not key.strip(" ,") or key not in str(caught.value)


TAMPERED = {
    "a value encrypted under a key we do not hold cannot be decrypted": lambda: encrypt(
        REFRESH_TOKEN, Settings(encryption_key=generate_encryption_key())
    ),
    "a tampered value cannot be decrypted": lambda: (
        encrypt(REFRESH_TOKEN, Settings(encryption_key=OLD_KEY))[:-4] + "AAAA"
    ),
    "a plaintext value cannot be decrypted": lambda: REFRESH_TOKEN,
    "a non-ASCII value cannot be decrypted": lambda: "gAAAAé",
}


@pytest.mark.parametrize("stored", TAMPERED.values(), ids=TAMPERED.keys())
def test_a_foreign_or_tampered_value_cannot_be_decrypted(stored) -> None:
    with pytest.raises(CannotDecrypt) as caught:
        decrypt(stored(), Settings(encryption_key=OLD_KEY))
    assert REFRESH_TOKEN not in str(caught.value)
