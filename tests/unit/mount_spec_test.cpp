#include <gtest/gtest.h>

#include "vessel/core/mount_spec.hpp"
#include "vessel/util/error.hpp"

using namespace vessel;

namespace {

const std::string kCwd = "/home/me/src";

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        EXPECT_EQ(e.exit_code(), 125);
        return e.what();
    }
    return "<no error>";
}

struct Good {
    const char* raw;
    MountType type;
    const char* source;
    const char* target;
    bool readonly;
    Propagation propagation;
    bool anonymous;
};

}  // namespace

TEST(MountSpec, VolumeFlagLikeDocker) {
    const Good cases[] = {
        {"/host:/ctr", MountType::kBind, "/host", "/ctr", false, Propagation::kRPrivate, false},
        {"/host/:/ctr/:ro", MountType::kBind, "/host", "/ctr", true, Propagation::kRPrivate, false},
        {"/h:/c:rw,shared", MountType::kBind, "/h", "/c", false, Propagation::kShared, false},
        {"/h:/c:ro,rslave", MountType::kBind, "/h", "/c", true, Propagation::kRSlave, false},
        {"./data:/c", MountType::kBind, "/home/me/src/data", "/c", false, Propagation::kRPrivate,
         false},
        {".:/src", MountType::kBind, "/home/me/src", "/src", false, Propagation::kRPrivate, false},
        {"cache:/var/cache", MountType::kVolume, "cache", "/var/cache", false,
         Propagation::kRPrivate, false},
        {"my-vol.1:/d:ro", MountType::kVolume, "my-vol.1", "/d", true, Propagation::kRPrivate,
         false},
        {"/data", MountType::kVolume, "", "/data", false, Propagation::kRPrivate, true},
        {"/a/../b/./c", MountType::kVolume, "", "/b/c", false, Propagation::kRPrivate, true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.raw);
        MountSpec m = parse_volume_flag(c.raw, kCwd);
        EXPECT_EQ(m.type, c.type);
        EXPECT_EQ(m.source, c.source);
        EXPECT_EQ(m.target, c.target);
        EXPECT_EQ(m.readonly, c.readonly);
        EXPECT_EQ(m.propagation, c.propagation);
        EXPECT_EQ(m.anonymous, c.anonymous);
        EXPECT_EQ(m.create_source, c.type == MountType::kBind);
    }
    EXPECT_FALSE(parse_volume_flag("v1:/d:nocopy", kCwd).copy_up);
    EXPECT_TRUE(parse_volume_flag("v1:/d", kCwd).copy_up);
}

TEST(MountSpec, VolumeFlagErrorsAreDockers) {
    const std::pair<const char*, const char*> cases[] = {
        {"", "invalid volume specification: ''"},
        {":/x", "invalid volume specification: ':/x'"},
        {"/foo:rw", "invalid volume specification: '/foo:rw'"},
        {"/a:/b:ro:x", "invalid volume specification: '/a:/b:ro:x'"},
        {"/a:/b:rx", "invalid mode: rx"},
        {"/a:/b:ro,rw", "invalid mode: ro,rw"},
        {"/a:/b:shared,slave", "invalid mode: shared,slave"},
        {"/a:/",
         "invalid volume specification: '/a:/': invalid mount config for type \"bind\": "
         "invalid specification: destination can't be '/'"},
        {"/a:rel",
         "invalid volume specification: '/a:rel': invalid mount config for type "
         "\"bind\": invalid mount path: 'rel' mount path must be absolute"},
        {"rel",
         "invalid volume specification: 'rel': invalid mount config for type \"volume\": "
         "invalid mount path: 'rel' mount path must be absolute"},
        {"foo/bar:/x",
         "create foo/bar: \"foo/bar\" includes invalid characters for a local volume name, only "
         "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, "
         "use absolute path"},
        {"../up:/x",
         "create ../up: \"../up\" includes invalid characters for a local volume name, only "
         "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, "
         "use absolute path"},
        {"a:/x",
         "create a: \"a\" includes invalid characters for a local volume name, only "
         "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, "
         "use absolute path"},
    };
    for (auto [raw, want] : cases) {
        SCOPED_TRACE(raw);
        EXPECT_EQ(error_of([&] { parse_volume_flag(raw, kCwd); }), want);
    }
}

TEST(MountSpec, MountFlagLikeDocker) {
    MountSpec b =
        parse_mount_flag("type=bind,source=/h,target=/c,readonly,bind-propagation=rshared", kCwd);
    EXPECT_EQ(b.type, MountType::kBind);
    EXPECT_EQ(b.source, "/h");
    EXPECT_EQ(b.target, "/c");
    EXPECT_TRUE(b.readonly);
    EXPECT_EQ(b.propagation, Propagation::kRShared);
    EXPECT_FALSE(b.create_source);  // --mount never creates a missing host path

    MountSpec v = parse_mount_flag("src=data,dst=/d,volume-nocopy,ro=false", kCwd);
    EXPECT_EQ(v.type, MountType::kVolume);  // docker's default type
    EXPECT_EQ(v.source, "data");
    EXPECT_FALSE(v.copy_up);
    EXPECT_FALSE(v.readonly);

    MountSpec a = parse_mount_flag("type=volume,destination=/anon", kCwd);
    EXPECT_TRUE(a.anonymous);

    MountSpec t = parse_mount_flag("type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770", kCwd);
    EXPECT_EQ(t.type, MountType::kTmpfs);
    EXPECT_EQ(t.tmpfs_size, 64 << 20);
    EXPECT_EQ(t.tmpfs_mode, 01770u);

    MountSpec q = parse_mount_flag("type=bind,\"source=/a,b\",target=/c", kCwd);
    EXPECT_EQ(q.source, "/a,b");
    EXPECT_EQ(parse_mount_flag("type=BIND,src=.,dst=/s", kCwd).source, "/home/me/src");
}

TEST(MountSpec, MountFlagErrorsAreDockers) {
    const std::pair<const char*, const char*> cases[] = {
        {"type=bind,source=/a,target=/b,bogus", "invalid field 'bogus' must be a key=value pair"},
        {"type=bind,color=red,target=/b", "unexpected key 'color' in 'color=red'"},
        {"type=bind,source=/a", "target is required"},
        {"type=,target=/a", "type is required"},
        {"type=bind,source=/a,target=/b,readonly=maybe", "invalid value for readonly: maybe"},
        {"type=tmpfs,target=/t,tmpfs-size=lots", "invalid value for tmpfs-size: lots"},
        {"type=tmpfs,target=/t,tmpfs-mode=999", "invalid value for tmpfs-mode: 999"},
        {"type=volume,target=/t,bind-propagation=shared",
         "cannot mix 'bind-*' options with mount type 'volume'"},
        {"type=bind,source=/a,target=/t,volume-nocopy",
         "cannot mix 'volume-*' options with mount type 'bind'"},
        {"type=bind,source=/a,target=/t,tmpfs-size=1m",
         "cannot mix 'tmpfs-*' options with mount type 'bind'"},
        {"type=bind,source=/a,target=/t,bind-propagation=sideways",
         "invalid mount config for type \"bind\": invalid propagation mode: sideways"},
        {"type=bind,target=/t",
         "invalid mount config for type \"bind\": field Source must not be "
         "empty"},
        {"type=bind,source=rel,target=/t",
         "invalid mount config for type \"bind\": invalid mount path: 'rel' mount path must be "
         "absolute"},
        {"type=tmpfs,source=/a,target=/t",
         "invalid mount config for type \"tmpfs\": field Source must not be specified"},
        {"type=volume,target=/t,readonly",
         "invalid mount config for type \"volume\": must not set ReadOnly mode when using "
         "anonymous volumes"},
        {"type=bind,source=/a,target=/",
         "invalid mount config for type \"bind\": invalid specification: destination can't be "
         "'/'"},
        {"type=npipe,source=/a,target=/t",
         "invalid mount config for type \"npipe\": mount type unknown (use bind, volume or "
         "tmpfs)"},
    };
    for (auto [raw, want] : cases) {
        SCOPED_TRACE(raw);
        EXPECT_EQ(error_of([&] { parse_mount_flag(raw, kCwd); }), want);
    }
}

TEST(MountSpec, TmpfsFlag) {
    MountSpec t = parse_tmpfs_flag("/run:size=1m,mode=700,noexec,uid=5");
    EXPECT_EQ(t.type, MountType::kTmpfs);
    EXPECT_EQ(t.target, "/run");
    EXPECT_EQ(t.tmpfs_size, 1 << 20);
    EXPECT_EQ(t.tmpfs_mode, 0700u);
    EXPECT_EQ(t.tmpfs_options, (std::vector<std::string>{"noexec", "uid=5"}));
    EXPECT_TRUE(parse_tmpfs_flag("/r:ro").readonly);
    EXPECT_EQ(error_of([] { parse_tmpfs_flag("/"); }),
              "invalid --tmpfs \"/\": invalid specification: destination can't be '/'");
    EXPECT_EQ(error_of([] { parse_tmpfs_flag("/t:mode=abc"); }),
              "invalid --tmpfs \"/t:mode=abc\": mode abc is not an octal mode like 1777");
    EXPECT_NE(error_of([] { parse_tmpfs_flag("/t:bogus"); }).find("unknown option \"bogus\""),
              std::string::npos);
}

TEST(MountSpec, DuplicatesAndOrder) {
    std::vector<MountSpec> ms{parse_volume_flag("/a:/x/y", kCwd), parse_tmpfs_flag("/x"),
                              parse_volume_flag("v1:/z", kCwd)};
    check_mount_targets(ms);
    auto ordered = in_mount_order(ms);
    EXPECT_EQ(ordered[0].target, "/x");
    EXPECT_EQ(ordered[1].target, "/z");
    EXPECT_EQ(ordered[2].target, "/x/y");
    ms.push_back(parse_volume_flag("/b:/x/y/", kCwd));
    EXPECT_EQ(error_of([&] { check_mount_targets(ms); }), "Duplicate mount point: /x/y");
}

TEST(MountSpec, VolumesFrom) {
    EXPECT_EQ(parse_volumes_from("web"), (std::pair<std::string, std::string>{"web", ""}));
    EXPECT_EQ(parse_volumes_from("web:ro"), (std::pair<std::string, std::string>{"web", "ro"}));
    EXPECT_EQ(error_of([] { parse_volumes_from("web:shared"); }), "invalid mode: shared");
    EXPECT_EQ(error_of([] { parse_volumes_from(""); }),
              "volumes-from specification cannot be an empty string");
}

TEST(MountSpec, JsonRoundTrip) {
    MountSpec m = parse_tmpfs_flag("/t:size=2m,mode=1700,nodev");
    m.host_path = "/x";
    nlohmann::json j = m;
    MountSpec back = j.get<MountSpec>();
    EXPECT_EQ(back.type, MountType::kTmpfs);
    EXPECT_EQ(back.tmpfs_size, m.tmpfs_size);
    EXPECT_EQ(back.tmpfs_mode, m.tmpfs_mode);
    EXPECT_EQ(back.tmpfs_options, m.tmpfs_options);
    EXPECT_EQ(back.host_path, "/x");
    MountSpec b = parse_volume_flag("/h:/c:ro,slave", kCwd);
    MountSpec b2 = nlohmann::json(b).get<MountSpec>();
    EXPECT_EQ(b2.propagation, Propagation::kSlave);
    EXPECT_TRUE(b2.readonly);
    EXPECT_TRUE(b2.create_source);
}

TEST(MountSpec, CleanPath) {
    EXPECT_EQ(clean_path("/a//b/../c/"), "/a/c");
    EXPECT_EQ(clean_path("/../.."), "/");
    EXPECT_EQ(clean_path("a/../.."), "..");
    EXPECT_EQ(clean_path(""), ".");
}
