#include "vessel/image/reference.hpp"

#include <cctype>

#include "vessel/image/digest.hpp"
#include "vessel/util/error.hpp"

namespace vessel::image {
namespace {

// distribution/reference's grammar, by hand (std::regex is slow, and GCC 12 warns inside it).
bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*
bool is_component(const std::string& c) {
    size_t i = 0;
    while (i < c.size()) {
        size_t run = i;
        while (i < c.size() && is_lower_alnum(c[i])) ++i;
        if (i == run) return false;  // a separator first, or two separators in a row
        if (i == c.size()) return true;
        size_t sep = i;
        while (i < c.size() && !is_lower_alnum(c[i])) ++i;
        const std::string s = c.substr(sep, i - sep);
        const bool dashes = s.find_first_not_of('-') == std::string::npos;
        if (!(s == "." || s == "_" || s == "__" || dashes) || i == c.size()) return false;
    }
    return false;  // empty
}

// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
bool is_tag(const std::string& t) {
    if (t.empty() || t.size() > 128 || t[0] == '.' || t[0] == '-') return false;
    for (char c : t)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
            return false;
    return true;
}

// host labels ([A-Za-z0-9-], not starting or ending with '-') joined by '.', then :port.
bool is_registry_host(const std::string& h) {
    std::string name = h;
    if (auto colon = h.rfind(':'); colon != std::string::npos) {
        const std::string port = h.substr(colon + 1);
        if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) return false;
        name = h.substr(0, colon);
    }
    if (name.empty()) return false;
    size_t pos = 0;
    for (;;) {
        size_t dot = name.find('.', pos);
        const std::string label = name.substr(pos, dot == std::string::npos ? dot : dot - pos);
        if (label.empty() || label.front() == '-' || label.back() == '-') return false;
        for (char c : label)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
        if (dot == std::string::npos) return true;
        pos = dot + 1;
    }
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
        if (!is_tag(ref.tag)) throw bad("invalid tag \"" + ref.tag + "\"");
    }
    std::string path = rest;
    ref.registry = kDefaultRegistry;
    if (auto first = rest.find('/'); first != std::string::npos && is_host(rest.substr(0, first))) {
        ref.registry = rest.substr(0, first);
        path = rest.substr(first + 1);
        if (!is_registry_host(ref.registry))
            throw bad("invalid registry host \"" + ref.registry + "\"");
    }
    if (ref.registry == "index.docker.io") ref.registry = kDefaultRegistry;
    if (path.empty()) throw bad("no repository name");
    size_t pos = 0;
    for (;;) {
        size_t next = path.find('/', pos);
        std::string comp = path.substr(pos, next == std::string::npos ? next : next - pos);
        if (!is_component(comp)) {
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
