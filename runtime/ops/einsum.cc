// SPDX-License-Identifier: Apache-2.0
// _npi_einsum. The subscripts follow numpy: terms separated by commas, an optional "->" and
// output term (without it the output is every label used once, in alphabetical order, after the
// ellipsis axes), "..." for the leading axes an operand has beyond its letters (broadcast between
// operands, right-aligned). A label may repeat within a term (a diagonal) and an axis of size 1
// broadcasts against the label's size elsewhere, as MXNet's NumpyEinsumShape allows.
#include "ops/einsum.h"

#include <algorithm>
#include <cctype>

#include "base/error.h"
#include "graph/attr_reader.h"
#include "graph/op_def.h"
#include "ops/registry.h"

namespace mxserve {

namespace {

constexpr int kNumLetters = 52;

int LetterLabel(char c) {
  return std::islower(static_cast<unsigned char>(c)) ? c - 'a' : 26 + (c - 'A');
}

bool IsLetter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

// One term split into letters and at most one ellipsis; `ellipsis_at` is the position of the
// ellipsis among the letters, or -1.
struct Term {
  std::vector<int> letters;
  int ellipsis_at = -1;
};

Term ParseTerm(const std::string& subscripts, const std::string& t) {
  Term term;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '.') {
      MXS_CHECK(t.compare(i, 3, "...") == 0 && term.ellipsis_at < 0)
          << "subscripts '" << subscripts << "': '.' must be part of a single '...' per term";
      term.ellipsis_at = static_cast<int>(term.letters.size());
      i += 2;
    } else {
      MXS_CHECK(IsLetter(t[i])) << "subscripts '" << subscripts << "': invalid character '" << t[i]
                                << "'";
      term.letters.push_back(LetterLabel(t[i]));
    }
  }
  return term;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return out;
}

void InferShape(const EinsumParam& p, std::vector<Shape>& in, std::vector<Shape>& out) {
  for (const Shape& s : in) MXS_CHECK(s.known()) << "input shapes are unknown";
  out[0] = MakeEinsumSpec(p, in).out;
}

}  // namespace

EinsumParam EinsumParam::Parse(const AttrMap& attrs) {
  AttrReader r(attrs);
  EinsumParam p;
  p.num_args = static_cast<int>(r.Int("num_args"));
  p.subscripts = r.String("subscripts", "");
  p.optimize = static_cast<int>(r.Int("optimize", 0));
  r.Finish();
  MXS_CHECK(p.num_args >= 1) << "num_args must be at least 1, got " << p.num_args;
  return p;
}

EinsumSpec MakeEinsumSpec(const EinsumParam& p, const std::vector<Shape>& shapes) {
  std::string s;
  for (char c : p.subscripts)
    if (!std::isspace(static_cast<unsigned char>(c))) s.push_back(c);
  const size_t arrow = s.find("->");
  const std::string lhs = s.substr(0, arrow);
  std::vector<std::string> texts = Split(lhs, ',');
  MXS_CHECK(texts.size() == shapes.size())
      << "subscripts '" << p.subscripts << "' have " << texts.size() << " terms for "
      << shapes.size() << " operands";
  EinsumSpec spec;
  std::vector<Term> terms;
  int ellipsis_rank = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    terms.push_back(ParseTerm(p.subscripts, texts[i]));
    const Term& t = terms.back();
    const int nl = static_cast<int>(t.letters.size());
    const int nd = shapes[i].ndim();
    if (t.ellipsis_at < 0) {
      MXS_CHECK(nd == nl) << "subscripts '" << p.subscripts << "': term '" << texts[i] << "' has "
                          << nl << " labels but operand " << i << " has shape "
                          << shapes[i].ToString();
    } else {
      MXS_CHECK(nd >= nl) << "subscripts '" << p.subscripts << "': term '" << texts[i] << "' has "
                          << nl << " labels but operand " << i << " has shape "
                          << shapes[i].ToString();
      ellipsis_rank = std::max(ellipsis_rank, nd - nl);
    }
  }
  spec.label_size.assign(kNumLetters + ellipsis_rank, -1);
  std::vector<int> count(kNumLetters, 0);
  for (size_t i = 0; i < terms.size(); ++i) {
    const Term& t = terms[i];
    std::vector<int> labels;
    const int nd = shapes[i].ndim();
    const int ne = t.ellipsis_at < 0 ? 0 : nd - static_cast<int>(t.letters.size());
    for (int k = 0; k < static_cast<int>(t.letters.size()); ++k) {
      if (k == t.ellipsis_at)
        for (int e = 0; e < ne; ++e) labels.push_back(kNumLetters + ellipsis_rank - ne + e);
      labels.push_back(t.letters[k]);
      ++count[t.letters[k]];
    }
    if (t.ellipsis_at == static_cast<int>(t.letters.size()))
      for (int e = 0; e < ne; ++e) labels.push_back(kNumLetters + ellipsis_rank - ne + e);
    for (int ax = 0; ax < nd; ++ax) {
      int64_t& size = spec.label_size[labels[ax]];
      const int64_t d = shapes[i][ax];
      if (size == -1 || size == 1) {
        size = d;
      } else {
        MXS_CHECK(d == 1 || d == size)
            << "subscripts '" << p.subscripts << "': size " << d << " of axis " << ax
            << " of operand " << i << " does not match the size " << size
            << " its label has elsewhere";
      }
    }
    spec.labels.push_back(labels);
  }
  if (arrow == std::string::npos) {
    for (int e = 0; e < ellipsis_rank; ++e) spec.out_labels.push_back(kNumLetters + e);
    // In character order, as numpy sorts them: upper case (labels 26..51) before lower case.
    for (int k = 0; k < kNumLetters; ++k) {
      const int l = (k + 26) % kNumLetters;
      if (count[l] == 1) spec.out_labels.push_back(l);
    }
  } else {
    const std::string rhs = s.substr(arrow + 2);
    MXS_CHECK(rhs.find("->") == std::string::npos)
        << "subscripts '" << p.subscripts << "' have two '->'";
    Term t = ParseTerm(p.subscripts, rhs);
    std::vector<bool> seen(kNumLetters, false);
    for (int k = 0; k <= static_cast<int>(t.letters.size()); ++k) {
      if (k == t.ellipsis_at)
        for (int e = 0; e < ellipsis_rank; ++e) spec.out_labels.push_back(kNumLetters + e);
      if (k == static_cast<int>(t.letters.size())) break;
      const int l = t.letters[k];
      MXS_CHECK(!seen[l]) << "subscripts '" << p.subscripts << "': output label repeated";
      MXS_CHECK(count[l] > 0) << "subscripts '" << p.subscripts
                              << "': an output label does not appear in "
                              << "the inputs";
      seen[l] = true;
      spec.out_labels.push_back(l);
    }
    MXS_CHECK(t.ellipsis_at >= 0 || ellipsis_rank == 0)
        << "subscripts '" << p.subscripts << "': the inputs use '...' but the output term does not";
  }
  std::vector<int64_t> o;
  for (int l : spec.out_labels) o.push_back(spec.label_size[l]);
  spec.out = Shape(o);
  return spec;
}

std::vector<int64_t> EinsumLabelStrides(const Shape& shape, const std::vector<int>& labels,
                                        const std::vector<int64_t>& label_size) {
  std::vector<int64_t> st(label_size.size(), 0);
  int64_t acc = 1;
  for (int ax = shape.ndim() - 1; ax >= 0; --ax) {
    if (!(shape[ax] == 1 && label_size[labels[ax]] != 1)) st[labels[ax]] += acc;
    acc *= shape[ax];
  }
  return st;
}

EinsumLoopPlan MakeEinsumLoopPlan(const std::vector<Shape>& shapes, const EinsumSpec& spec) {
  EinsumLoopPlan plan;
  plan.num_in = static_cast<int>(shapes.size());
  const size_t nl = spec.label_size.size();
  std::vector<bool> in_out(nl, false), used(nl, false);
  for (int l : spec.out_labels) in_out[l] = true;
  for (const auto& ls : spec.labels)
    for (int l : ls) used[l] = true;
  for (int l : spec.out_labels) plan.out_dims.push_back(spec.label_size[l]);
  std::vector<int> sum_labels;
  for (size_t l = 0; l < nl; ++l)
    if (used[l] && !in_out[l]) {
      sum_labels.push_back(static_cast<int>(l));
      plan.sum_dims.push_back(spec.label_size[l]);
    }
  for (size_t i = 0; i < shapes.size(); ++i) {
    const std::vector<int64_t> st = EinsumLabelStrides(shapes[i], spec.labels[i], spec.label_size);
    for (int l : spec.out_labels) plan.out_strides.push_back(st[l]);
    for (int l : sum_labels) plan.sum_strides.push_back(st[l]);
  }
  plan.out_size = 1;
  for (int64_t d : plan.out_dims) plan.out_size *= d;
  plan.sum_size = 1;
  for (int64_t d : plan.sum_dims) plan.sum_size *= d;
  return plan;
}

bool MakeEinsumMatmulPlan(const std::vector<Shape>& shapes, const EinsumSpec& spec,
                          EinsumMatmulPlan* plan) {
  if (spec.labels.size() != 2) return false;
  const size_t nl = spec.label_size.size();
  std::vector<int> in_a(nl, 0), in_b(nl, 0), in_o(nl, 0);
  for (int l : spec.labels[0]) ++in_a[l];
  for (int l : spec.labels[1]) ++in_b[l];
  for (int l : spec.out_labels) ++in_o[l];
  std::vector<int> batch, m, n, k;
  for (size_t l = 0; l < nl; ++l) {
    if (in_a[l] > 1 || in_b[l] > 1) return false;  // a diagonal
    if (!in_a[l] && !in_b[l]) continue;
    if (in_a[l] && in_b[l])
      (in_o[l] ? batch : k).push_back(static_cast<int>(l));
    else if (!in_o[l])
      return false;  // summed within one operand
    else
      (in_a[l] ? m : n).push_back(static_cast<int>(l));
  }
  if (m.size() > 1 || n.size() > 1 || k.size() > 1) return false;
  // The output must read the batch labels first, then m, then n.
  const size_t nb = batch.size();
  if (spec.out_labels.size() < nb) return false;
  const std::vector<int> order(spec.out_labels.begin(), spec.out_labels.begin() + nb);
  for (int l : order)
    if (!in_a[l] || !in_b[l]) return false;
  const std::vector<int> tail(spec.out_labels.begin() + nb, spec.out_labels.end());
  std::vector<int> want;
  if (!m.empty()) want.push_back(m[0]);
  if (!n.empty()) want.push_back(n[0]);
  if (tail != want) return false;
  const std::vector<int64_t> sa = EinsumLabelStrides(shapes[0], spec.labels[0], spec.label_size);
  const std::vector<int64_t> sb = EinsumLabelStrides(shapes[1], spec.labels[1], spec.label_size);
  // A broadcast (stride 0) batch label is left to the loop.
  for (int l : order)
    if ((sa[l] == 0 || sb[l] == 0) && spec.label_size[l] != 1) return false;
  auto size_of = [&](const std::vector<int>& v) {
    return v.empty() ? int64_t{1} : spec.label_size[v[0]];
  };
  auto stride_of = [&](const std::vector<int>& v, const std::vector<int64_t>& st) {
    return v.empty() ? int64_t{1} : std::max<int64_t>(st[v[0]], 1);
  };
  EinsumMatmulPlan p;
  for (int l : order) {
    p.batch_dims.push_back(spec.label_size[l]);
    p.a_batch.push_back(std::max<int64_t>(sa[l], 1));
    p.b_batch.push_back(std::max<int64_t>(sb[l], 1));
  }
  p.m = size_of(m);
  p.n = size_of(n);
  p.k = size_of(k);
  p.a_m = stride_of(m, sa);
  p.a_k = stride_of(k, sa);
  p.b_k = stride_of(k, sb);
  p.b_n = stride_of(n, sb);
  *plan = std::move(p);
  return true;
}

MXS_REGISTER_OPS(einsum) {
  r.Add("_npi_einsum")
      .Param<EinsumParam>()
      .NumInputs<EinsumParam>([](const EinsumParam& p) { return p.num_args; })
      .InputNames<EinsumParam>([](const EinsumParam& p) {
        std::vector<std::string> names;
        for (int i = 0; i < p.num_args; ++i) names.push_back("arg" + std::to_string(i));
        return names;
      })
      .InferShape(InferShape);
}

}  // namespace mxserve
