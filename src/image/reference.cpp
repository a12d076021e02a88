#include "vessel/image/reference.hpp"

#include <regex>

#include "vessel/image/digest.hpp"
#include "vessel/util/error.hpp"

namespace vessel::image {
namespace {

// distribution/reference's grammar.
const std::regex& component_re() {
    static const std::regex re("[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*");
    return re;
}
const std::regex& tag_re() {
    static const std::regex re("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    return re;
}
const std::regex& host_re() {
    static const std::regex re(
        "(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-"
        "z0-"
        "9-]*[A-Za-z0-9]))*(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?");
    return re;
}

bool is_host(const std::string& first) {
    return first.find_first_of(".:") != std::string::npos || first == "localhost";
}

}  // namespace

std::string Reference::name() const {
    return registry + "/" + repository;
}

std::string Reference::canonical() const {
    std::string out = name();
    if (!tag.empty()) out += ":" + tag;
    if (!digest.empty()) out += "@" + digest;
    return out;
}

std::string Reference::familiar_name() const {
    if (registry != kDefaultRegistry) return name();
    if (repository.rfind("library/", 0) == 0 && repository.find('/', 8) == std::string::npos)
        return repository.substr(8);
    return repository;
}

std::string Reference::familiar() const {
    if (!tag.empty()) return familiar_name() + ":" + tag;
    return familiar_name() + "@" + digest;
}

Reference parse_reference(const std::string& text) {
    auto bad = [&](const std::string& why) {
        return Error("invalid image reference \"" + text + "\": " + why);
    };
    if (text.empty()) throw bad("empty");
    if (text.size() > 255 + 72 + 129) throw bad("too long");
    Reference ref;
    std::string rest = text;
    if (auto at = rest.find('@'); at != std::string::npos) {
        ref.digest = rest.substr(at + 1);
        rest.resize(at);
        if (!is_digest(ref.digest)) throw bad("the digest must be sha256: and 64 lowercase hex");
    }
    // A tag is after the last ':' that follows the last '/' (a port's ':' comes before a '/').
    const size_t slash = rest.rfind('/');
    if (auto colon = rest.rfind(':');
        colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
        ref.tag = rest.substr(colon + 1);
        rest.resize(colon);
        if (!std::regex_match(ref.tag, tag_re())) throw bad("invalid tag \"" + ref.tag + "\"");
    }
    std::string path = rest;
    ref.registry = kDefaultRegistry;
    if (auto first = rest.find('/'); first != std::string::npos && is_host(rest.substr(0, first))) {
        ref.registry = rest.substr(0, first);
        path = rest.substr(first + 1);
        if (!std::regex_match(ref.registry, host_re()))
            throw bad("invalid registry host \"" + ref.registry + "\"");
    }
    if (ref.registry == "index.docker.io") ref.registry = kDefaultRegistry;
    if (path.empty()) throw bad("no repository name");
    size_t pos = 0;
    for (;;) {
        size_t next = path.find('/', pos);
        std::string comp = path.substr(pos, next == std::string::npos ? next : next - pos);
        if (!std::regex_match(comp, component_re())) {
            for (char c : comp)
                if (c >= 'A' && c <= 'Z') throw bad("repository name must be lowercase");
            throw bad("invalid name component \"" + comp + "\"");
        }
        if (next == std::string::npos) break;
        pos = next + 1;
    }
    if (path.size() > 255) throw bad("repository name longer than 255 characters");
    if (ref.registry == kDefaultRegistry && path.find('/') == std::string::npos)
        path = "library/" + path;
    ref.repository = path;
    if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
    return ref;
}

bool looks_like_image_reference(const std::string& text) {
    return !text.empty() && text[0] != '.' && text.find('/') == std::string::npos;
}

}  // namespace vessel::image
