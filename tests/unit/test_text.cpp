#include "lepton/text.h"

#include <gtest/gtest.h>

using lepton::split_commas;
using V = std::vector<std::string>;

TEST(SplitCommas, SplitsEveryArgumentAndKeepsOrder) {
  EXPECT_EQ(split_commas({"a,b", "c"}), (V{"a", "b", "c"}));
  EXPECT_EQ(split_commas({"a", "b,c"}), (V{"a", "b", "c"}));
}

TEST(SplitCommas, DropsEmptyPieces) {
  EXPECT_EQ(split_commas({",a,,b,", "", ","}), (V{"a", "b"}));
  EXPECT_TRUE(split_commas({}).empty());
}

TEST(SplitCommas, KeepsSpacesAndOtherCharacters) {
  EXPECT_EQ(split_commas({"cpu.*, mem.used"}), (V{"cpu.*", " mem.used"}));
}
