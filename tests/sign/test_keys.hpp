#pragma once
// Throw-away keys made with `openssl genpkey -algorithm ed25519` (and one P-256 key for the
// wrong-type case) for tests only; they sign nothing real.
namespace jobtrail::test_keys {

inline constexpr const char* ed_private_1 =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIE1wfIRk3kSajlQwgla0hwk3RoIoXqsKB9XOY0wpuOUP\n"
    "-----END PRIVATE KEY-----\n";
inline constexpr const char* ed_public_1 =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEA1xx91tAphneUggcy4z10Rf+Nnpkyrq08butuPop4eEo=\n"
    "-----END PUBLIC KEY-----\n";
// `openssl pkey -pubin -in pub1.pem -outform DER | tail -c 32 | sha256sum`
inline constexpr const char* ed_key_id_1 = "eca85417223871e67843fb85fb1b2cfd16d95217c3cc3f010df77eb40b333b4d";
// `printf hello | openssl pkeyutl -sign -inkey priv1.pem -rawin -in /dev/stdin | base64 -w0`
inline constexpr const char* ed_hello_sig_1 =
    "F8vYBvVWgxuPwMxpej6uWt0EVP3a7snLjX1Eh71hpr7nvNMGxUs6A+9yrBBmDqZ7jX8qbW3qS8RPxZkIbV+gBA==";

inline constexpr const char* ed_private_2 =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIP9L51/QiIBy9CCjEHUvpMl2ASvGvkeLWapVUs9YbSIO\n"
    "-----END PRIVATE KEY-----\n";
inline constexpr const char* ed_public_2 =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAgery/Cjh6XWTWIHDYAchhRrPgYjzApTb690k8ZCTQhM=\n"
    "-----END PUBLIC KEY-----\n";

inline constexpr const char* ec_private =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg5GNtkxxfo3zev9ZD\n"
    "e+OzGucie/zLDH6ZHFYVMwB8PHqhRANCAASGDmpPo8IMAQI21ww+IqibC5qJlmEo\n"
    "/pzTL6f+uVFWdxLnidLgDcC8JEYy0VJQdMcTcPhQUQm7YHJ+madVQkh6\n"
    "-----END PRIVATE KEY-----\n";
inline constexpr const char* ec_public =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhg5qT6PCDAECNtcMPiKomwuaiZZh\n"
    "KP6c0y+n/rlRVncS54nS4A3AvCRGMtFSUHTHE3D4UFEJu2ByfpmnVUJIeg==\n"
    "-----END PUBLIC KEY-----\n";

}  // namespace jobtrail::test_keys
