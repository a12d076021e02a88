// Image references as docker parses them (distribution/reference): `alpine`,
// `alpine:3.19`, `library/alpine`, `ghcr.io/org/img:tag`, `host:5000/name@sha256:...`.
// The first component is a registry host when it has a '.' or ':' or is `localhost`; otherwise
// the registry is docker.io, and a one-component name there gets `library/` (official images).
// With neither tag nor digest the tag is `latest`.
#pragma once

#include <string>

namespace vessel::image {

inline constexpr const char* kDefaultRegistry = "docker.io";

struct Reference {
    std::string registry;    // "docker.io", "127.0.0.1:5000"
    std::string repository;  // "library/alpine"
    std::string tag;         // "latest" unless a digest was given alone
    std::string digest;      // "sha256:..." or ""

    // The full form: docker.io/library/alpine:3.19 (tag and digest both when both were given).
    std::string canonical() const;
    // registry/repository, without tag or digest.
    std::string name() const;
    // Docker's short form for display: "alpine", "org/img", "127.0.0.1:5000/x".
    std::string familiar_name() const;
    // familiar_name() + ":tag" (or "@digest").
    std::string familiar() const;
};

// Parses `text`; throws Error (125) naming what is wrong (uppercase, bad tag, bad digest...).
Reference parse_reference(const std::string& text);

// Whether `vessel run`'s IMAGE argument names an image in the store (docker's reading) rather
// than an unpacked directory: anything with a '/' or starting with '.' stays a path, as before
// images existed (so `vessel run rootfs/busybox` keeps working).
bool looks_like_image_reference(const std::string& text);

}  // namespace vessel::image
