#pragma once
#include <string>

#include "cli/authenticity.hpp"
#include "trail/archive/verify.hpp"

namespace jobtrail::cli {
int exit_for(archive::Verdict v);
// Prints the problems, what was found about signatures (`auth`; null: nothing said) and the
// verdict line; returns the exit status for the verdict.
int print_verify_report(const archive::VerifyReport& rep, const std::string& url, bool as_json,
                        const Authenticity* auth = nullptr);
}  // namespace jobtrail::cli
