// Image references as docker reads them, and the manifest/index/config parsers.
#include <gtest/gtest.h>

#include "vessel/image/digest.hpp"
#include "vessel/image/manifest.hpp"
#include "vessel/image/reference.hpp"
#include "vessel/util/error.hpp"

using namespace vessel;
using namespace vessel::image;

TEST(Reference, DockerDefaults) {
    Reference r = parse_reference("alpine");
    EXPECT_EQ(r.registry, "docker.io");
    EXPECT_EQ(r.repository, "library/alpine");
    EXPECT_EQ(r.tag, "latest");
    EXPECT_EQ(r.canonical(), "docker.io/library/alpine:latest");
    EXPECT_EQ(r.familiar(), "alpine:latest");
    EXPECT_EQ(parse_reference("alpine:3.19").tag, "3.19");
    EXPECT_EQ(parse_reference("library/alpine").canonical(), "docker.io/library/alpine:latest");
    EXPECT_EQ(parse_reference("docker.io/alpine").canonical(), "docker.io/library/alpine:latest");
    EXPECT_EQ(parse_reference("index.docker.io/library/alpine").registry, "docker.io");
    EXPECT_EQ(parse_reference("user/app").familiar(), "user/app:latest");
}

TEST(Reference, RegistriesPortsAndDigests) {
    const std::string d = "sha256:" + std::string(64, 'a');
    Reference r = parse_reference("ghcr.io/org/img:tag");
    EXPECT_EQ(r.registry, "ghcr.io");
    EXPECT_EQ(r.repository, "org/img");
    EXPECT_EQ(r.familiar(), "ghcr.io/org/img:tag");
    r = parse_reference("127.0.0.1:5000/name@" + d);
    EXPECT_EQ(r.registry, "127.0.0.1:5000");
    EXPECT_EQ(r.repository, "name");  // no library/ outside docker.io
    EXPECT_EQ(r.tag, "");
    EXPECT_EQ(r.digest, d);
    EXPECT_EQ(r.canonical(), "127.0.0.1:5000/name@" + d);
    r = parse_reference("localhost/x:1@" + d);
    EXPECT_EQ(r.registry, "localhost");
    EXPECT_EQ(r.tag, "1");
    EXPECT_EQ(r.canonical(), "localhost/x:1@" + d);
    // Without a '.', ':' or localhost the first component is a path, not a host.
    EXPECT_EQ(parse_reference("foo/bar").registry, "docker.io");
}

TEST(Reference, NameComponentsAsDistributionSpellsThem) {
    for (const char* good : {"a__b", "a--b", "a-b", "a.b", "a_b", "0a", "my-org/my.app_1"})
        EXPECT_NO_THROW(parse_reference(good)) << good;
    for (const char* bad : {"a___b", "a.-b", "a.", "_a", "a..b", "a/-b", "a:.t"})
        EXPECT_THROW(parse_reference(bad), Error) << bad;
    EXPECT_THROW(parse_reference("-bad.host:5000/x"), Error);
    EXPECT_THROW(parse_reference("host:port/x"), Error);
}

TEST(Reference, InvalidOnesSayWhy) {
    for (const char* bad : {"", "Alpine", "alpine:", "alpine:-x", "a//b", "alpine@sha256:abc", "-a",
                            "a:b:c", "UPPER/x"}) {
        EXPECT_THROW(parse_reference(bad), Error) << bad;
    }
    try {
        parse_reference("Alpine");
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("lowercase"), std::string::npos);
    }
}

TEST(Reference, RunTellsImagesFromDirectories) {
    EXPECT_TRUE(looks_like_image_reference("busybox"));
    EXPECT_TRUE(looks_like_image_reference("busybox:1.36"));
    EXPECT_FALSE(looks_like_image_reference("rootfs/busybox"));
    EXPECT_FALSE(looks_like_image_reference("./busybox"));
    EXPECT_FALSE(looks_like_image_reference(".hidden"));
    EXPECT_FALSE(looks_like_image_reference("/abs"));
}

namespace {

std::string desc(const std::string& type, const std::string& digest,
                 const std::string& extra = "") {
    return R"({"mediaType":")" + type + R"(","digest":")" + digest + R"(","size":10)" + extra + "}";
}
const std::string kD1 = "sha256:" + std::string(64, '1');
const std::string kD2 = "sha256:" + std::string(64, '2');

}  // namespace

TEST(Manifest, OciAndDockerManifestsParse) {
    const std::string oci = R"({"schemaVersion":2,"mediaType":")" +
                            std::string(media::kOciManifest) + R"(","config":)" +
                            desc(media::kOciConfig, kD1) + R"(,"layers":[)" +
                            desc(media::kOciLayerZstd, kD2) + "]}";
    Manifest m = parse_manifest(oci, media::kOciManifest);
    EXPECT_EQ(m.config.digest, kD1);
    ASSERT_EQ(m.layers.size(), 1u);
    EXPECT_EQ(m.layers[0].media_type, media::kOciLayerZstd);
    const std::string docker = R"({"schemaVersion":2,"mediaType":")" +
                               std::string(media::kDockerManifest) + R"(","config":)" +
                               desc(media::kDockerConfig, kD1) + R"(,"layers":[)" +
                               desc(media::kDockerLayerGzip, kD2) + "]}";
    EXPECT_EQ(parse_manifest(docker, "").media_type, media::kDockerManifest);
}

TEST(Manifest, Schema1AndMismatchedTypesAreRefused) {
    EXPECT_THROW(manifest_kind(R"({"schemaVersion":1,"name":"x","fsLayers":[]})", ""), Error);
    // CVE-2021-41190: served as a manifest, says it is an index.
    const std::string index = R"({"schemaVersion":2,"mediaType":")" +
                              std::string(media::kOciIndex) + R"(","manifests":[]})";
    EXPECT_THROW(parse_manifest(index, media::kOciManifest), Error);
    EXPECT_THROW(manifest_kind(R"({"manifests":[],"layers":[]})", ""), Error);
    // A config that is not an image config (an artifact).
    const std::string helm = R"({"schemaVersion":2,"config":)" +
                             desc("application/vnd.cncf.helm.config.v1+json", kD1) +
                             R"(,"layers":[]})";
    EXPECT_THROW(parse_manifest(helm, ""), Error);
    // A digest that is not one.
    const std::string bad = R"({"schemaVersion":2,"config":)" +
                            desc(media::kOciConfig, "sha256:../../x") + R"(,"layers":[]})";
    EXPECT_THROW(parse_manifest(bad, ""), Error);
}

TEST(Manifest, PlatformChoice) {
    const std::string index =
        R"({"schemaVersion":2,"mediaType":")" + std::string(media::kOciIndex) +
        R"(","manifests":[)" +
        desc(media::kOciManifest, kD1, R"(,"platform":{"os":"linux","architecture":"amd64"})") +
        "," +
        desc(media::kOciManifest, kD2,
             R"(,"platform":{"os":"linux","architecture":"arm","variant":"v7"})") +
        "]}";
    Index i = parse_index(index, media::kOciIndex);
    EXPECT_EQ(choose_platform(i, parse_platform("linux/amd64")).digest, kD1);
    EXPECT_EQ(choose_platform(i, parse_platform("linux/arm/v7")).digest, kD2);
    EXPECT_EQ(choose_platform(i, parse_platform("linux/arm")).digest, kD2);
    try {
        choose_platform(i, parse_platform("linux/s390x"));
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("linux/amd64, linux/arm/v7"), std::string::npos);
    }
    EXPECT_THROW(parse_platform("a/b/c/d"), Error);
    EXPECT_FALSE(host_platform().architecture.empty());
}

TEST(Manifest, ConfigGivesWhatRunApplies) {
    ImageConfigDoc c = parse_config(
        R"({"architecture":"amd64","os":"linux","config":{"Entrypoint":["/e"],"Cmd":null,)"
        R"("Env":["A=1"],"WorkingDir":"/w","User":"1000:1000","StopSignal":"SIGINT",)"
        R"("ExposedPorts":{"80/tcp":{}}},"rootfs":{"type":"layers","diff_ids":[")" +
        kD1 + R"("]}})");
    EXPECT_EQ(c.entrypoint, std::vector<std::string>{"/e"});
    EXPECT_FALSE(c.has_cmd);
    EXPECT_EQ(c.working_dir, "/w");
    EXPECT_EQ(c.user, "1000:1000");
    EXPECT_EQ(c.stop_signal, "SIGINT");
    EXPECT_EQ(c.exposed_ports, std::vector<std::string>{"80/tcp"});
    EXPECT_EQ(c.diff_ids, std::vector<std::string>{kD1});
    EXPECT_THROW(parse_config(R"({"rootfs":{"type":"layers","diff_ids":["x"]}})"), Error);
    EXPECT_THROW(parse_config(R"({"config":{}})"), Error);
    EXPECT_THROW(parse_config("[1]"), Error);
}
