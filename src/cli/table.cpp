#include "cli/table.h"

#include "common/text.h"

#include <algorithm>

namespace aotpack::cli {

void Table::print(std::ostream& out) const {
    std::vector<std::size_t> widths;
    for (const auto& row : rows_) {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], printable(row[i]).size());
    }
    for (const auto& row : rows_) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            std::string cell = printable(row[i]); // names may come from untrusted archives
            line += cell;
            if (i + 1 < row.size()) line += std::string(widths[i] - cell.size() + 2, ' ');
        }
        out << line << "\n";
    }
}

} // namespace aotpack::cli
