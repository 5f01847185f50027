// `aotpack environment`: every AOTPACK_* variable and what it does (common/environment.h).
#include "cli/commands.h"
#include "common/environment.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace aotpack::cli {

void addEnvironmentCommand(CommandRegistry& registry) {
    auto asJson = std::make_shared<bool>(false);
    auto* sub = registry.app.add_subcommand(
        "environment", "The AOTPACK_* environment variables and what each does");
    sub->add_flag("--json", *asJson, "Print [{name, meaning}]");
    registry.add(sub, [asJson] {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& row : environmentTable()) {
            if (*asJson)
                out.push_back({{"name", row.name}, {"meaning", row.meaning}});
            else
                std::cout << row.name << "\n    " << row.meaning << "\n";
        }
        if (*asJson) std::cout << out.dump(2) << "\n";
        return 0;
    });
}

} // namespace aotpack::cli
