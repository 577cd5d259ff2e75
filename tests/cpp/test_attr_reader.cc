// SPDX-License-Identifier: Apache-2.0
// AttrReader: MXNet's attribute spellings parse; unknown keys and bad values are errors.
#include <cstdio>

#include "base/error.h"
#include "graph/attr_reader.h"

using namespace mxserve;

static int test_parses_mxnet_spellings() {
  AttrMap a{{"kernel", "(3, 3)"}, {"no_bias", "True"}, {"eps", "1e-05"}, {"axis", "None"}, {"one", "(1,)"}};
  AttrReader r(a);
  auto k = r.Tuple("kernel");
  bool ok = k.size() == 2 && k[0] == 3 && r.Bool("no_bias", false) && r.Float("eps") == 1e-05 &&
            !r.OptInt("axis").has_value() && r.Tuple("one").size() == 1;
  r.Finish();
  return ok ? 0 : 1;
}

static int test_rejects_unknown_attribute() {
  AttrMap a{{"kernal", "(3, 3)"}};
  AttrReader r(a);
  try {
    r.Finish();
  } catch (const Error& e) {
    return e.code() == ErrorCode::kInvalidArgument ? 0 : 1;
  }
  std::fprintf(stderr, "unknown attribute accepted\n");
  return 1;
}

static int test_rejects_bad_integer() {
  AttrMap a{{"num_filter", "sixty"}};
  AttrReader r(a);
  try {
    r.Int("num_filter");
  } catch (const Error&) {
    return 0;
  }
  return 1;
}

int main() {
  return test_parses_mxnet_spellings() || test_rejects_unknown_attribute() || test_rejects_bad_integer();
}
