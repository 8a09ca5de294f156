#pragma once
// `jobtrail report`: one self-contained HTML page (inline CSS and script, no external fetch)
// from the summary and the report model. Pure: data in, text out.
//
// Safety: event text (argv, paths, DNS names) is attacker-controlled. It is never written into
// the markup: it travels only inside one JSON data block whose '<', '>', '&' and U+2028/2029 are
// \u-escaped (so no "</script>" can close it), and the page script puts it into the DOM with
// textContent / setAttribute only.
#include <string>

#include <nlohmann/json.hpp>

namespace jobtrail::cli {

// The JSON text, safe inside <script type="application/json">.
std::string json_for_script(const nlohmann::json& data);

// summary: trail/summary Builder::result(); model: ReportModel::finish(); source: where the
// archive came from (shown in the header).
std::string render_report_html(const nlohmann::json& summary, const nlohmann::json& model, const std::string& source);

// The inline stylesheet and script (report_assets.cpp).
extern const char* const report_css;
extern const char* const report_js;

}  // namespace jobtrail::cli
