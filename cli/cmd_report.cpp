// `jobtrail report`: one pass over the trail feeds the summary and the report model, then the
// page is written to a temporary file and renamed into place (no half-written report).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/common.hpp"
#include "cli/errors.hpp"
#include "cli/report_html.hpp"
#include "trail/summary/report_model.hpp"
#include "trail/summary/summary.hpp"
#include "trail/text/terminal_text.hpp"

namespace jobtrail::cli {

int reader_status(const archive::Reader& reader);

int run_report(const ArchiveArgs& a, const std::string& out_path) {
  if (out_path.empty()) throw CliError(exit_usage, "name the report file: -o report.html");
  auto loc = locate(a);
  archive::Reader reader(loc.where);
  nlohmann::json summary, model;
  try {
    summary::Builder b;
    summary::ReportModel m;
    try {
      if (auto& man = reader.manifest()) b.add_manifest(*man);
    } catch (const storage::StoreError&) {
      throw;
    } catch (const std::exception& e) {
      std::cerr << "jobtrail: manifest unusable (" << text::terminal_safe(e.what()) << "); reporting the segments alone\n";
    }
    reader.for_each_event([&](const nlohmann::json& ev) {
      b.add(ev);
      m.add(ev);
      return true;
    });
    summary = b.result();
    model = m.finish();
    model["problems"] = reader.problems();
  } catch (const storage::StoreError& e) {
    throw explain(e, loc.url);
  }
  std::string html = render_report_html(summary, model, loc.url);
  std::filesystem::path out(out_path), tmp = out;
  tmp += ".part";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << html;
    if (!f.flush()) throw CliError(exit_internal, "cannot write " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, out, ec);
  if (ec) throw CliError(exit_internal, "cannot write " + out.string() + ": " + ec.message());
  std::cerr << "wrote " << out.string() << " (" << html.size() << " bytes, " << model["processes"].size()
            << " processes, " << model["connections"].size() << " connections)\n";
  return reader_status(reader);
}

}  // namespace jobtrail::cli
