#include "cli/report_html.hpp"

#include "trail/version.hpp"

namespace jobtrail::cli {

std::string json_for_script(const nlohmann::json& data) {
  // ensure_ascii: every non-ASCII character (U+2028/2029 included) becomes \uXXXX; invalid
  // UTF-8 in an event is replaced rather than failing the whole report.
  std::string text = data.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (char c : text) {
    // These characters only occur inside JSON strings, where \u escapes mean the same thing.
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

std::string render_report_html(const nlohmann::json& summary, const nlohmann::json& model, const std::string& source) {
  nlohmann::json data = {{"summary", summary}, {"model", model}, {"source", source},
                         {"generator", "jobtrail " + std::string(jobtrail::version())}};
  std::string html;
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // No network: the policy forbids every fetch; only the inline style and script run.
  html += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
          "script-src 'unsafe-inline'; img-src data:\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<title>jobtrail report</title>\n<style>\n";
  html += report_css;
  html += "</style>\n</head>\n<body>\n";
  html += "<header><h1 id=\"title\">jobtrail report</h1><div id=\"subtitle\"></div><div id=\"banners\"></div></header>\n";
  html += "<nav><a href=\"#glance\">At a glance</a> <a href=\"#summary\">Summary</a> <a href=\"#findings\">Findings</a> <a href=\"#tree\">Process tree</a> "
          "<a href=\"#timeline\">Timeline</a> <a href=\"#network\">Network</a> <a href=\"#files\">Files</a> "
          "<a href=\"#privilege\">Privilege</a> <a href=\"#losses\">Losses</a></nav>\n<main>\n";
  // The first screen: what ran, where it connected, what looked wrong (the rest is detail).
  html += "<section id=\"glance\"><div class=\"glance-col\"><h2>What ran</h2><div id=\"glance-ran\"></div></div>"
          "<div class=\"glance-col\"><h2>Where it connected</h2><div id=\"glance-net\"></div></div>"
          "<div class=\"glance-col\"><h2>What looked wrong</h2><div id=\"glance-wrong\"></div></div></section>\n";
  html += "<section id=\"summary\"><h2>Summary</h2><div id=\"summary-body\"></div></section>\n";
  html += "<section id=\"findings\"><h2>Findings</h2><div id=\"findings-body\"></div></section>\n";
  html += "<section id=\"tree\"><h2>Process tree</h2><div class=\"controls\"><input id=\"tree-search\" type=\"search\" "
          "placeholder=\"search binary, argv, pid, exec id\"> <button id=\"expand-all\">expand all</button> "
          "<button id=\"collapse-all\">collapse all</button> <span id=\"tree-count\"></span></div>"
          "<ul id=\"tree-root\" class=\"tree\"></ul></section>\n";
  html += "<section id=\"timeline\"><h2>Timeline</h2><div id=\"timeline-body\"></div></section>\n";
  html += "<section id=\"network\"><h2>Network ledger</h2><div id=\"network-body\"></div></section>\n";
  html += "<section id=\"files\"><h2>Files written outside the workspace</h2><div id=\"files-body\"></div></section>\n";
  html += "<section id=\"privilege\"><h2>Privilege events</h2><div id=\"privilege-body\"></div></section>\n";
  html += "<section id=\"losses\"><h2>Losses and limits</h2><div id=\"losses-body\"></div></section>\n";
  html += "</main>\n<noscript>This report needs JavaScript to render its data.</noscript>\n";
  html += "<script type=\"application/json\" id=\"jobtrail-data\">";
  html += json_for_script(data);
  html += "</script>\n<script>\n";
  html += report_js;
  html += "</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace jobtrail::cli
