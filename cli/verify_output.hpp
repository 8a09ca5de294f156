#pragma once
#include <string>

#include "trail/archive/verify.hpp"

namespace jobtrail::cli {
int exit_for(archive::Verdict v);
// Prints the problems and the verdict line; returns the exit status for the verdict.
int print_verify_report(const archive::VerifyReport& rep, const std::string& url, bool as_json);
}  // namespace jobtrail::cli
