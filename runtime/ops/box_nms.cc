// SPDX-License-Identifier: Apache-2.0
// box_nms: the output has the input's shape; MXNet's second (hidden) output, the index record
// kept for the backward pass, is not visible to symbols and is not produced here.
#include "ops/box_nms.h"

#include <vector>

#include "base/error.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

BoxFormat ParseBoxFormat(AttrReader& r, const char* key, BoxFormat def) {
  const std::string v =
      r.Enum(key, def == BoxFormat::kCorner ? "corner" : "center", {"corner", "center"});
  return v == "corner" ? BoxFormat::kCorner : BoxFormat::kCenter;
}

BoxNmsParam BoxNmsParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  BoxNmsParam p;
  p.overlap_thresh = static_cast<float>(r.Float("overlap_thresh", 0.5));
  p.valid_thresh = static_cast<float>(r.Float("valid_thresh", 0.0));
  p.topk = static_cast<int>(r.Int("topk", -1));
  p.coord_start = static_cast<int>(r.Int("coord_start", 2));
  p.score_index = static_cast<int>(r.Int("score_index", 1));
  p.id_index = static_cast<int>(r.Int("id_index", -1));
  p.background_id = static_cast<int>(r.Int("background_id", -1));
  p.force_suppress = r.Bool("force_suppress", false);
  p.in_format = ParseBoxFormat(r, "in_format", BoxFormat::kCorner);
  p.out_format = ParseBoxFormat(r, "out_format", BoxFormat::kCorner);
  r.Finish();
  return p;
}

namespace {

void InferShape(const BoxNmsParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  const Shape& s = in[0];
  MXS_CHECK(s.ndim() >= 2) << "the input needs at least 2 axes (boxes, box width), got "
                           << s.ToString();
  const int64_t width = s[s.ndim() - 1];
  const int64_t need = p.id_index >= 0 ? 6 : 5;
  MXS_CHECK(width >= need) << "the last axis has " << width << " elements, at least " << need
                           << " are needed (score and 4 coordinates"
                           << (p.id_index >= 0 ? ", id)" : ")");
  const int cs = p.coord_start, ce = p.coord_start + 3;
  MXS_CHECK(p.score_index >= 0 && p.score_index < width)
      << "score_index " << p.score_index << " is out of range [0, " << width << ")";
  MXS_CHECK(p.score_index < cs || p.score_index > ce)
      << "score_index " << p.score_index << " overlaps the coordinates [" << cs << ", " << ce
      << "]";
  MXS_CHECK(cs >= 0 && ce < width)
      << "coordinates [" << cs << ", " << ce << "] are out of range [0, " << width << ")";
  if (p.id_index >= 0) {
    MXS_CHECK(p.id_index < width) << "id_index " << p.id_index << " is out of range [0, " << width
                                  << ")";
    MXS_CHECK(p.id_index < cs || p.id_index > ce)
        << "id_index " << p.id_index << " overlaps the coordinates [" << cs << ", " << ce << "]";
    MXS_CHECK(p.id_index != p.score_index) << "id_index and score_index are both " << p.id_index;
  }
  out[0] = s;
}

}  // namespace

MXS_REGISTER_OPS(box_nms) {
  r.Add("_contrib_box_nms")
      .Aliases({"_contrib_box_non_maximum_suppression", "_npx_box_nms"})
      .Param<BoxNmsParam>()
      .NumInputs(1)
      .InferShape(InferShape);
}

}  // namespace mxserve
