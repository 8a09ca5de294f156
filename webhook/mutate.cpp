#include "mutate.hpp"

#include <openssl/evp.h>

#include <string_view>

#include "ours.hpp"
#include "sidecar_spec.hpp"
#include "token_audience.hpp"

namespace jobtrail::webhook {
namespace {
using nlohmann::json;

constexpr const char* kStatusAnnotation = "jobtrail.io/status";
constexpr const char* kVersionAnnotation = "jobtrail.io/version";
constexpr const char* kInjectAnnotation = "jobtrail.io/inject";
constexpr int kGraceMarginSeconds = 5;
constexpr int kKubernetesDefaultGrace = 30;

std::string base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

const json& member_or_null(const json& obj, const char* key) {
  static const json null_value;
  if (!obj.is_object()) return null_value;
  auto it = obj.find(key);
  return it == obj.end() ? null_value : *it;
}

const std::string& string_or_empty(const json& value) {
  static const std::string empty;
  return value.is_string() ? value.get_ref<const std::string&>() : empty;
}

// Whether the sidecar and its volumes, exactly as this webhook writes them, are in the pod already;
// or what in the pod collides with them: a container or volume that takes one of our names without
// being ours, or another container mounting one of our volumes (it could rewrite the spool before
// upload). Names alone decide nothing: any pod can pick them.
struct Presence {
  bool ours = false;
  std::string conflict;  // "" when none
};

Presence find_ours(const json& pod, const json& spec, const Config& config) {
  Presence p;
  const char* our_list = config.sidecar.mode == "native" ? "initContainers" : "containers";
  const json* sidecar = nullptr;
  for (const char* list : {"initContainers", "containers"}) {
    const json& items = member_or_null(spec, list);
    if (!items.is_array()) continue;
    for (const auto& c : items) {
      if (member_or_null(c, "name") != kSidecarName) continue;
      // The expected container is computed from the pod without it, as on the first pass.
      if (std::string_view(list) == our_list && !sidecar &&
          matches_ours(sidecar_container(config, pod_facts(pod, &c)), c)) {
        sidecar = &c;
        continue;
      }
      p.conflict = std::string("container ") + kSidecarName + " in " + list + " is not the one jobtrail injects";
      return p;
    }
  }
  const json ours = sidecar_volumes(config);
  std::size_t ours_present = 0;
  const json& volumes = member_or_null(spec, "volumes");
  if (volumes.is_array()) {
    for (const auto& v : volumes) {
      const std::string& name = string_or_empty(member_or_null(v, "name"));
      for (const auto& o : ours) {
        if (o["name"] != name) continue;
        if (!sidecar || !matches_ours(o, v)) {
          p.conflict = "volume " + name + " is not the one jobtrail injects";
          return p;
        }
        ++ours_present;
      }
    }
  }
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    const json& items = member_or_null(spec, list);
    if (!items.is_array()) continue;
    for (const auto& c : items) {
      if (&c == sidecar) continue;
      const json& mounts = member_or_null(c, "volumeMounts");
      if (!mounts.is_array()) continue;
      for (const auto& m : mounts)
        for (const auto& o : ours)
          if (member_or_null(m, "name") == o["name"]) {
            p.conflict = "container " + string_or_empty(member_or_null(c, "name")).substr(0, 63) + " mounts volume " +
                         o["name"].get<std::string>();
            return p;
          }
    }
  }
  if (sidecar && ours_present != ours.size()) {
    p.conflict = std::string("container ") + kSidecarName + " present without its volumes";
    return p;
  }
  p.ours = sidecar != nullptr;
  return p;
}

json response_base(const json& uid) {
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"response", {{"uid", uid}, {"allowed", true}}}};
}

MutateResult skipped(const json& uid, std::string reason, json warnings) {
  MutateResult r{response_base(uid), "skipped", std::move(reason), json::array(), ""};
  if (!warnings.empty()) r.review["response"]["warnings"] = warnings;
  return r;
}

}  // namespace

std::string escape_json_pointer(const std::string& token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string short_warning(std::string text) {
  constexpr std::size_t kMax = 120;
  if (text.size() > kMax) {
    text.resize(kMax - 3);
    // Do not cut a UTF-8 sequence in half.
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
    if (!text.empty() && (static_cast<unsigned char>(text.back()) & 0x80)) text.pop_back();
    text += "...";
  }
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

ReviewSubject review_subject(const json& review) {
  ReviewSubject s;
  const json& request = member_or_null(review, "request");
  const json& metadata = member_or_null(member_or_null(request, "object"), "metadata");
  std::string ns = string_or_empty(member_or_null(metadata, "namespace"));
  if (ns.empty()) ns = string_or_empty(member_or_null(request, "namespace"));
  std::string name = string_or_empty(member_or_null(metadata, "name"));
  if (name.empty()) name = string_or_empty(member_or_null(metadata, "generateName")) + "*";
  s.pod = ns + "/" + name;
  const json& user_info = member_or_null(request, "userInfo");
  s.user = string_or_empty(member_or_null(user_info, "username"));
  const json& groups = member_or_null(user_info, "groups");
  if (groups.is_array())
    for (const auto& g : groups)
      if (g.is_string()) s.groups.push_back(g.get<std::string>());
  return s;
}

MutateResult mutate(const json& review, const Config& config) {
  if (!review.is_object()) throw ReviewError("body is not a JSON object");
  if (member_or_null(review, "apiVersion") != "admission.k8s.io/v1" || member_or_null(review, "kind") != "AdmissionReview")
    throw ReviewError("not an admission.k8s.io/v1 AdmissionReview");
  const json& request = member_or_null(review, "request");
  if (!request.is_object()) throw ReviewError("AdmissionReview has no request");
  const json& uid = member_or_null(request, "uid");
  if (!uid.is_string() || uid.get<std::string>().empty()) throw ReviewError("request.uid is missing");

  const json& kind = member_or_null(request, "kind");
  const json& resource = member_or_null(request, "resource");
  const bool is_pod = member_or_null(kind, "kind") == "Pod" && member_or_null(kind, "group") == "" &&
                      member_or_null(resource, "resource") == "pods" &&
                      member_or_null(request, "subResource").is_null();
  if (!is_pod) return skipped(uid, "not_pod", json::array());
  if (member_or_null(request, "operation") != "CREATE") return skipped(uid, "not_create", json::array());

  const json& pod = member_or_null(request, "object");
  const json& spec = member_or_null(pod, "spec");
  if (!pod.is_object() || !spec.is_object()) throw ReviewError("request.object is not a Pod with a spec");
  const json& metadata = member_or_null(pod, "metadata");
  const json& annotations = member_or_null(metadata, "annotations");

  json warnings = json::array();
  const json& inject = member_or_null(annotations, kInjectAnnotation);
  std::string detail;
  if (config.storage.credentials_mode == "webIdentity") {
    // A token the trail-writing role trusts is for our sidecar alone. A kubernetes-mode job may
    // create pods with the runner's ServiceAccount and such a token of its own, so this is checked
    // before the opt-out (which anyone may ask for by default), and refused like a conflict.
    // A pod whose opt-out is honoured gets no sidecar, so none of its containers may hold it.
    const ReviewSubject who = review_subject(review);
    const bool opted_out = inject == "false" && config.opt_out.allows(who.user, who.groups);
    const std::string reader =
        token_reader(spec, config.storage.audience, opted_out ? std::string() : std::string(kSidecarName));
    if (!reader.empty()) {
      MutateResult r{response_base(uid), "refused", "token_audience", json::array(), reader};
      r.review["response"]["allowed"] = false;
      r.review["response"]["status"] = {
          {"code", 400},
          {"message", "jobtrail: container/volume " + reader + " projects a service-account token of audience " +
                          config.storage.audience + ", which only the jobtrail sidecar may hold"}};
      return r;
    }
  }
  if (inject == "false") {
    const ReviewSubject who = review_subject(review);
    if (config.opt_out.allows(who.user, who.groups)) return skipped(uid, "opted_out", warnings);
    detail = "opt-out by " + (who.user.empty() ? std::string("an unnamed user") : who.user) + " not honoured";
    warnings.push_back(short_warning("jobtrail: " + detail + "; injecting"));
  } else if (!inject.is_null()) {
    warnings.push_back(short_warning("jobtrail: ignoring jobtrail.io/inject value other than \"false\"; injecting"));
  }

  // The status annotation is written by us but decides nothing: any pod can carry it.
  const Presence presence = find_ours(pod, spec, config);
  if (presence.ours) return skipped(uid, "already_injected", warnings);
  if (!presence.conflict.empty()) {
    // Refused whatever onError says: allowing it would leave the pod untraced by its own choice of
    // names, which is exactly what a hostile job wants. 400: actions-runner-controller retries it,
    // 403/422 would fail the runner for good.
    MutateResult r{response_base(uid), "refused", "conflict", json::array(), presence.conflict};
    r.review["response"]["allowed"] = false;
    r.review["response"]["status"] = {
        {"code", 400}, {"message", "jobtrail: cannot inject sidecar: " + presence.conflict}};
    if (!warnings.empty()) r.review["response"]["warnings"] = warnings;
    return r;
  }

  const PodFacts facts = pod_facts(pod);
  json patch = json::array();
  const json container = sidecar_container(config, facts);
  if (config.sidecar.mode == "native") {
    if (member_or_null(spec, "initContainers").is_array())
      patch.push_back({{"op", "add"}, {"path", "/spec/initContainers/0"}, {"value", container}});
    else
      patch.push_back({{"op", "add"}, {"path", "/spec/initContainers"}, {"value", json::array({container})}});
  } else {
    if (member_or_null(spec, "containers").is_array())
      patch.push_back({{"op", "add"}, {"path", "/spec/containers/-"}, {"value", container}});
    else
      patch.push_back({{"op", "add"}, {"path", "/spec/containers"}, {"value", json::array({container})}});
  }

  const json volumes = sidecar_volumes(config);
  if (member_or_null(spec, "volumes").is_array()) {
    for (const auto& v : volumes) patch.push_back({{"op", "add"}, {"path", "/spec/volumes/-"}, {"value", v}});
  } else {
    patch.push_back({{"op", "add"}, {"path", "/spec/volumes"}, {"value", volumes}});
  }

  // The sidecar needs its flush deadline after SIGTERM to upload the last segment and the manifest.
  const int needed = config.sidecar.flush_deadline_seconds + kGraceMarginSeconds;
  const json& grace = member_or_null(spec, "terminationGracePeriodSeconds");
  const long long current = grace.is_number_integer() ? grace.get<long long>() : kKubernetesDefaultGrace;
  if (current < needed) {
    patch.push_back({{"op", "add"}, {"path", "/spec/terminationGracePeriodSeconds"}, {"value", needed}});
    warnings.push_back(short_warning("jobtrail: terminationGracePeriodSeconds raised from " + std::to_string(current) +
                                     " to " + std::to_string(needed) + " so the trail can be flushed"));
  }

  if (!metadata.is_object()) {
    patch.push_back({{"op", "add"}, {"path", "/metadata"}, {"value", json::object()}});
  }
  const json ours = {{kStatusAnnotation, "injected"}, {kVersionAnnotation, JOBTRAIL_VERSION}};
  if (annotations.is_object()) {
    for (const auto& [key, value] : ours.items())
      patch.push_back({{"op", "add"}, {"path", "/metadata/annotations/" + escape_json_pointer(key)}, {"value", value}});
  } else {
    patch.push_back({{"op", "add"}, {"path", "/metadata/annotations"}, {"value", ours}});
  }

  MutateResult r{response_base(uid), "injected", "", patch, detail};
  r.review["response"]["patchType"] = "JSONPatch";
  r.review["response"]["patch"] = base64(patch.dump());
  if (!warnings.empty()) r.review["response"]["warnings"] = warnings;
  return r;
}

}  // namespace jobtrail::webhook
