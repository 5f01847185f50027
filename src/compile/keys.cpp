// The build key: everything the archive is made from, so an output on disk with the same key
// needs no work (and a shard's key, which covers its own share only).
#include "compile/dictionaries.h"
#include "compile/driver_internal.h"

namespace aotpack::compile {

// The plan's key with the measured costs the split used: shards that split by other costs must
// not be merged (they would build some jobs twice and others not at all).
static Hash128 withCosts(const Hash128& plan, const ShardCosts& costs) {
    if (costs.empty()) return plan;
    Hasher h;
    h.add(plan.bytes);
    for (const auto& [job, seconds] : costs)
        h.add(job.first).add(std::to_string(job.second)).add(std::to_string(seconds));
    return h.finish();
}

// Everything the archive is made from.
static Hash128 buildKey(const BuildSetup& setup, const std::vector<PreparedModule>& modules) {
    const OutputSettings& out = setup.output;
    Hasher h;
    h.add("aotpack-build-v1").add(AOTPACK_VERSION).add(setup.targets.input);
    h.add(setup.targets.canonical()).add(setup.compiler->support().identity);
    h.add(setup.compile.options)
        .add(setup.compile.fp64 == Fp64Policy::Poison ? "poison" : "error")
        .add(out.maxCompression ? "max" : "default")
        .add(out.uncompressedNatives ? "raw-natives" : "")
        .add(out.portableCompression ? "portable" : builtinDictionariesIdentity());
    for (const auto& key : setup.signingKeys) // a signature is part of the output
        h.add(std::span<const std::uint8_t>(key.id()));
    for (const auto& m : modules) {
        h.add(m.input.name)
            .add(m.input.path.filename().string())
            .add(m.input.options)
            .add(m.spirvHash.bytes);
        for (const auto& t : setup.targets.targets)
            h.add(jobKey(setup, m, t.ip, effectiveOptions(setup, m, t.ip.value())).bytes);
    }
    return h.finish();
}

// A shard is up to date with respect to its own share only.
BuildKeys decideKeys(const BuildSetup& setup, const std::vector<PreparedModule>& modules) {
    BuildKeys keys{buildKey(setup, modules), std::nullopt};
    if (!setup.shard) return keys;
    keys.plan = withCosts(keys.build, setup.shardCosts);
    keys.build = Hasher().add(keys.plan->bytes).add(setup.shard->str()).finish();
    return keys;
}

} // namespace aotpack::compile
