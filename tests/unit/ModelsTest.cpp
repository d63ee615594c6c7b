#include "ApiModel.h"

#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace tether;

namespace {
std::string parseError(const std::string &Yaml) {
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  std::optional<ApiModel> M = parseModel(Yaml, "user.yaml", OS);
  OS.flush();
  EXPECT_FALSE(M.has_value()) << Yaml;
  return Err;
}
} // namespace

TEST(Models, EveryBuiltinModelParses) {
  ASSERT_FALSE(builtinModelSources().empty());
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  ModelSet Set;
  EXPECT_TRUE(Set.addBuiltins(OS));
  OS.flush();
  EXPECT_EQ(Err, "");
  EXPECT_EQ(Set.models().size(), builtinModelSources().size());
  for (const ApiModel &M : Set.models()) {
    EXPECT_FALSE(M.Library.empty()) << M.Origin;
    EXPECT_EQ(M.Origin.rfind("<builtin>/", 0), 0u) << M.Origin;
  }
  // The standard library model is among them and is indexed.
  EXPECT_NE(Set.spawnForType("std::thread"), nullptr);
  EXPECT_NE(Set.futureForType("std::future"), nullptr);
}

TEST(Models, UnknownKeyIsAnErrorWithPosition) {
  std::string Err = parseError("library: mine\n"
                               "channels:\n"
                               "  - types: [my::chan]\n"
                               "    close: [close]\n"
                               "    colse_twice: panic\n");
  EXPECT_NE(Err.find("user.yaml:5:5: error: "), std::string::npos) << Err;
  EXPECT_NE(Err.find("colse_twice"), std::string::npos) << Err;
}

TEST(Models, BadEnumValueIsAnError) {
  std::string Err = parseError("library: mine\n"
                               "channels:\n"
                               "  - types: [my::chan]\n"
                               "    close: [close]\n"
                               "    double_close: sometimes\n");
  EXPECT_NE(Err.find("user.yaml:5:19: error: "), std::string::npos) << Err;
}

TEST(Models, MissingTypesIsAnError) {
  std::string Err = parseError("library: mine\n"
                               "channels:\n"
                               "  - close: [close]\n");
  EXPECT_NE(Err.find("user.yaml:3:5: error: "), std::string::npos) << Err;
  EXPECT_NE(Err.find("types"), std::string::npos) << Err;
}

TEST(Models, ValidUserModelParses) {
  std::string Err;
  llvm::raw_string_ostream OS(Err);
  std::optional<ApiModel> M = parseModel("library: mine\n"
                                         "channels:\n"
                                         "  - types: [my::chan]\n"
                                         "    close: [close]\n"
                                         "    double_close: panic\n",
                                         "user.yaml", OS);
  ASSERT_TRUE(M.has_value()) << Err;
  ASSERT_EQ(M->Channels.size(), 1u);
  EXPECT_EQ(M->Channels[0].OnDoubleClose, DoubleClose::Panic);
  EXPECT_EQ(M->Origin, "user.yaml");
}
