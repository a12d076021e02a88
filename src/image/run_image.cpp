#include "vessel/image/run_image.hpp"

#include "vessel/image/manifest.hpp"
#include "vessel/util/error.hpp"
#include "vessel/util/fs.hpp"

namespace vessel::image {

RunnableImage resolve_for_run(const ImageStore& store, const std::string& text) {
    auto record = store.resolve(text);
    if (!record)
        throw Error("image \"" + text + "\" is not in the store (" + store.root() +
                    "): load it with `vessel load -i FILE` (vessel images lists what there is)");
    const ImageConfigDoc doc = parse_config(store.read_blob(record->id));
    RunnableImage out;
    out.ref = text;
    out.id = record->id;
    for (auto it = record->layers.rbegin(); it != record->layers.rend(); ++it) {
        const std::string dir = store.layer_dir(*it);
        if (!fs::exists(dir))
            throw Error("image " + text + " is missing its layer " + *it +
                        ": remove it (vessel rmi) and load it again");
        out.lower += (out.lower.empty() ? "" : ":") + dir;
        if (out.users_root.empty() && fs::exists(dir + "/etc/passwd")) out.users_root = dir;
    }
    if (out.lower.empty()) throw Error("image " + text + " has no layers");
    if (out.users_root.empty()) out.users_root = store.layer_dir(record->layers.back());
    out.config.entrypoint = doc.entrypoint;
    out.config.cmd = doc.cmd;
    out.config.env = doc.env;
    out.config.workdir = doc.working_dir;
    out.config.user = doc.user;
    out.stop_signal = doc.stop_signal;
    out.exposed_ports = doc.exposed_ports;
    return out;
}

}  // namespace vessel::image
