#include "compile/history.h"

#include "common/file_io.h"
#include "common/text.h"

#include <cstdlib>
#include <sstream>

namespace aotpack::compile {

History loadHistory(const std::filesystem::path& cacheDir) {
    History history;
    auto text = readTextFile(cacheDir / "history.tsv");
    if (!text) return history;
    for (const auto& line : split(*text, '\n')) {
        auto cols = split(line, '\t');
        if (cols.size() != 6) continue;
        history[cols[0]] = {std::atof(cols[1].c_str()), std::atol(cols[2].c_str()), cols[3],
                            cols[4], cols[5]};
    }
    return history;
}

void saveHistory(const std::filesystem::path& cacheDir, const History& history) {
    std::ostringstream out;
    for (const auto& [key, h] : history)
        out << key << '\t' << h.seconds << '\t' << h.maxRssKb << '\t' << h.spirv << '\t'
            << h.options << '\t' << h.compiler << '\n';
    (void)writeFileAtomic(cacheDir / "history.tsv", out.str(), Sync::No); // advice, not data
}

} // namespace aotpack::compile
