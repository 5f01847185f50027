// finishCapture: raw/ records -> modules/ and the build manifest (capture_dir.h).
#include "capture/capture_dir.h"
#include "capture/opencl_source.h"

#include "common/text.h"

#include <nlohmann/json.hpp>
#include <spirv-tools/optimizer.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

namespace aotpack::capture {

namespace fs = std::filesystem;

namespace {

struct Module {
    bool openclC = false; // OpenCL C source (raw/<name>.cl), not SPIR-V
    std::string flags;
    nlohmann::json constants = nlohmann::json::array();
    std::set<std::string> devices, programs;
};

// "0a01" -> the 32-bit words SPIRV-Tools takes for a constant's bit pattern (little-endian,
// the last word zero-padded: a 1-byte bool or 2-byte short is one word).
std::optional<std::vector<std::uint32_t>> wordsOf(const std::string& hex) {
    if (hex.empty() || hex.size() % 2) return std::nullopt;
    std::vector<std::uint32_t> words((hex.size() / 2 + 3) / 4, 0);
    for (std::size_t i = 0; i < hex.size() / 2; ++i) {
        auto byte = parseUnsigned(hex.substr(2 * i, 2), 16);
        if (!byte) return std::nullopt;
        words[i / 4] |= static_cast<std::uint32_t>(*byte) << (8 * (i % 4));
    }
    return words;
}

// The SPIR-V with every constant's SpecId default set to the captured value.
Expected<Bytes> specialize(const Bytes& spirv, const nlohmann::json& constants) {
    std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> values;
    for (const auto& c : constants) {
        bool wellFormed = c.is_object() && c.contains("id") && c["id"].is_number_unsigned() &&
                          c.contains("value") && c["value"].is_string();
        auto words = wellFormed ? wordsOf(c["value"].get<std::string>()) : std::nullopt;
        if (!words) return makeError(Errc::BadInput, "a constant is not {id, hex bytes}");
        values[c["id"].get<std::uint32_t>()] = *words;
    }
    std::vector<std::uint32_t> in(spirv.size() / 4), out;
    std::memcpy(in.data(), spirv.data(), in.size() * 4);
    spvtools::Optimizer optimizer(SPV_ENV_UNIVERSAL_1_6);
    optimizer.RegisterPass(spvtools::CreateSetSpecConstantDefaultValuePass(values));
    if (!optimizer.Run(in.data(), in.size(), &out, spvtools::ValidatorOptions(),
                       /*skip_validation=*/true))
        return makeError(Errc::BadInput, "SPIRV-Tools cannot set its specialization constants");
    Bytes bytes(out.size() * 4);
    std::memcpy(bytes.data(), out.data(), bytes.size());
    return bytes;
}

// raw/<name>@<ip>.json records, grouped by module name.
std::map<std::string, Module> readRecords(const fs::path& raw, CaptureSummary& summary) {
    std::map<std::string, Module> modules;
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : listDirectory(raw))
        if (e.extension() == ".json") files.push_back(e);
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        std::string stem = file.stem().string();
        auto at = stem.find('@');
        auto text = readTextFile(file);
        auto record = text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
        if (at == std::string::npos || !record.is_object() || !record["flags"].is_string()) {
            summary.skipped.push_back(file.string() + ": not a capture record");
            continue;
        }
        auto field = [&record](const char* key, const char* otherwise) {
            return record.contains(key) && record[key].is_string() ? record[key].get<std::string>()
                                                                   : std::string(otherwise);
        };
        Module& m = modules[stem.substr(0, at)];
        m.flags = record["flags"].get<std::string>();
        m.openclC = field("language", "spirv") == "opencl-c";
        if (record.contains("constants") && record["constants"].is_array())
            m.constants = record["constants"];
        m.devices.insert(field("device_ip", "unknown"));
        m.programs.insert(field("program", ""));
    }
    return modules;
}

nlohmann::json manifestEntry(const std::string& name, const std::string& source,
                             const std::string& options, const Module& m) {
    return {{"name", name},         {"source", source},
            {"options", options},   {"constants", m.constants},
            {"devices", m.devices}, {"programs", m.programs}};
}

// modules/<name>.spv: the SPIR-V with its constants applied; the manifest's entry.
Expected<nlohmann::json> finishSpirv(const fs::path& dir, const std::string& name,
                                     const Module& m) {
    auto spirv = readFile(dir / "raw" / (name + ".spv"));
    if (!spirv) return makeError(Errc::BadInput, name + ": its SPIR-V is missing");
    Expected<Bytes> ready =
        m.constants.empty() ? Expected<Bytes>(*spirv) : specialize(*spirv, m.constants);
    if (!ready) return makeError(Errc::BadInput, name + ": " + ready.error().message);
    if (auto st = writeFileAtomic(dir / "modules" / (name + ".spv"), *ready); !st)
        return st.error();
    return manifestEntry(name, "modules/" + name + ".spv", m.flags, m);
}

// modules/<name>.cl and its headers; the build's -I points at them, wherever the program had them.
Expected<nlohmann::json> finishOpenClC(const fs::path& dir, const std::string& name,
                                       const Module& m) {
    auto source = readFile(dir / "raw" / (name + ".cl"));
    if (!source) return makeError(Errc::BadInput, name + ": its OpenCL C source is missing");
    std::error_code ec, error;
    fs::path from = dir / "raw" / (name + ".include"),
             headers = dir / "modules" / (name + ".include");
    fs::remove_all(headers, ec);
    if (fs::is_directory(from, ec)) fs::copy(from, headers, fs::copy_options::recursive, error);
    if (error)
        return makeError(Errc::Output,
                         "cannot copy the headers of " + name + ": " + error.message());
    if (auto st = writeFileAtomic(dir / "modules" / (name + ".cl"), *source); !st)
        return st.error();
    std::string options = redirectIncludeDirs(m.flags, fs::absolute(headers, ec).string());
    return manifestEntry(name, "modules/" + name + ".cl", options, m);
}

} // namespace

Expected<CaptureSummary> finishCapture(const fs::path& dir) {
    CaptureSummary summary;
    std::error_code ec;
    if (!fs::is_directory(dir / "raw", ec))
        return makeError(Errc::BadInput,
                         "'" + dir.string() + "' holds no captured modules (no raw/)");
    fs::create_directories(dir / "modules", ec);
    nlohmann::json list = nlohmann::json::array();
    for (auto& [name, m] : readRecords(dir / "raw", summary)) {
        auto entry = m.openclC ? finishOpenClC(dir, name, m) : finishSpirv(dir, name, m);
        if (!entry && entry.error().code == Errc::Output) return entry.error();
        if (!entry) {
            summary.skipped.push_back(entry.error().message);
            continue;
        }
        summary.specialized += !m.constants.empty();
        list.push_back(*entry);
    }
    summary.modules = list.size();
    nlohmann::json manifest = {{"schema", "aotpack-capture/1"}, {"modules", list}};
    if (auto st = writeFileAtomic(
            dir / kCaptureManifestFile,
            manifest.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
        !st)
        return st.error();
    return summary;
}

} // namespace aotpack::capture
