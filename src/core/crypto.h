// Cryptographic primitives, all from libsodium: CSPRNG tokens, token hashing for
// storage, HMAC-SHA256 signing, constant-time comparison and argon2id passwords.
// Thread-safe after init_crypto() (called once at start-up; idempotent).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace core {

void init_crypto();

// A new random token: `bytes` bytes from the CSPRNG, base64url without padding.
std::string random_token(std::size_t bytes = 32);
// What is stored for a token: hex of its BLAKE2b-256 hash. Tokens are never stored raw.
std::string token_hash(std::string_view token);
// HMAC-SHA256 of `message` under `key`, base64url.
std::string hmac_sha256(std::string_view key, std::string_view message);
std::string hmac_sha256_hex(std::string_view key, std::string_view message);
bool constant_time_equal(std::string_view a, std::string_view b);

// argon2id (libsodium's crypto_pwhash_str with its interactive limits).
std::string hash_password(std::string_view password);
bool verify_password(std::string_view stored_hash, std::string_view password);

std::string base64url(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace core
