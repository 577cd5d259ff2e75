// SPDX-License-Identifier: Apache-2.0
// Backend: everything exec/ needs from one device — its kernels (one capability record per
// operator: factory, layout support, precision support), its memory (allocation and copies), its
// streams, the compute dtypes it runs and how it shares the machine's threads between calls.
// Backends register themselves in the backend table (backends/backend_table.h); a backend's
// kernels are the files in backends/<dir>/, listed into kernel_registry_<dir>.inc by CMake.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backends/device_memory.h"
#include "backends/kernel.h"
#include "base/device.h"

namespace mxserve {

using KernelFactory = std::function<std::unique_ptr<Kernel>(const KernelArgs&)>;

/// How a kernel handles one reduced compute dtype (bfloat16, float16, int8).
enum class DTypeHandling : uint8_t {
  kNone,        ///< float32 activations only
  kSameType,    ///< the reduced dtype too, when all its float activations share one dtype
  kConverting,  ///< computes in it and converts each input and output as planned
};

/// Which compute dtypes a kernel honours besides float32, and how: one DTypeHandling per reduced
/// compute dtype. Anything but kNone promises that the kernel honours every TensorDesc's dtype.
struct PrecisionSupport {
  DTypeHandling bfloat16 = DTypeHandling::kNone;
  DTypeHandling float16 = DTypeHandling::kNone;
  DTypeHandling int8 = DTypeHandling::kNone;

  /// The handling of compute dtype `d` (kNone for float32 and for dtypes without a mode).
  DTypeHandling For(DType d) const;
  /// The union of two supports (the stronger handling per dtype).
  constexpr PrecisionSupport operator|(const PrecisionSupport& o) const {
    return {Max(bfloat16, o.bfloat16), Max(float16, o.float16), Max(int8, o.int8)};
  }
  constexpr bool operator==(const PrecisionSupport& o) const {
    return bfloat16 == o.bfloat16 && float16 == o.float16 && int8 == o.int8;
  }
  constexpr bool operator!=(const PrecisionSupport& o) const { return !(*this == o); }

 private:
  static constexpr DTypeHandling Max(DTypeHandling a, DTypeHandling b) { return a < b ? b : a; }
};

/// Which layouts a kernel handles besides row-major.
enum class LayoutSupportKind : int {
  kRowMajorOnly,  ///< every input and output must be row-major
  kSameLayout,    ///< channels-last too, when its activations all share one layout
  kAnyLayout,     ///< any mix: each input and output may have its own layout
};

/// The dtype sets kernels declare. kPlain is what the typed loops take (VisitDType in
/// cpu_onednn/elemwise_loop.h), kValue adds the 16-bit floats (VisitValueDType, index_loops.h),
/// kAny is every dtype, for kernels that move bytes.
namespace dtypes {
constexpr DTypeSet kFloat32{DType::kFloat32};
/// int8/uint8 data with its float32 ranges, or float32 (quantized operators).
constexpr DTypeSet kQuantized{DType::kFloat32, DType::kInt8, DType::kUint8};
constexpr DTypeSet kPlain{DType::kFloat32, DType::kFloat64, DType::kUint8, DType::kInt8,
                          DType::kInt32,   DType::kInt64,   DType::kBool};
constexpr DTypeSet kValue = kPlain | DTypeSet{DType::kFloat16, DType::kBfloat16};
constexpr DTypeSet kAny = DTypeSet::All();
}  // namespace dtypes

/// The element dtypes a kernel reads. Backend::CreateKernel refuses a node with an input of
/// another dtype (kUnsupported, naming the node, the dtype and the declared set), so kernels see
/// only declared dtypes, and the reduced compute dtype where their PrecisionSupport honours it.
struct DTypeSupport {
  DTypeSet data = dtypes::kFloat32;              ///< every input not listed in `inputs`
  std::vector<std::pair<int, DTypeSet>> inputs;  ///< inputs read in other dtypes (indices...)
  /// The dtypes input `i` may have.
  DTypeSet For(size_t i) const {
    for (const auto& [k, s] : inputs)
      if (static_cast<size_t>(k) == i) return s;
    return data;
  }
};

/// What one backend knows about its kernel for one operator.
struct KernelRecord {
  KernelFactory factory;                                             ///< creates the kernel
  LayoutSupportKind layouts = LayoutSupportKind::kRowMajorOnly;      ///< layouts it honours
  PrecisionSupport precision;                                        ///< compute dtypes it honours
  DTypeSupport dtypes;                                               ///< input dtypes it reads

  /// Declares the dtypes of its data inputs (float32 unless declared).
  KernelRecord& DTypes(DTypeSet s) {
    dtypes.data = s;
    return *this;
  }
  /// Declares the dtypes of input `i` where they differ from the data's (indices, lengths,
  /// masks, labels).
  KernelRecord& Input(int i, DTypeSet s) {
    dtypes.inputs.emplace_back(i, s);
    return *this;
  }
};

class Backend {
 public:
  virtual ~Backend() = default;

  // ---- identity ----
  /// Name in the backend table and in Predictor.info() ("cpu_onednn").
  virtual std::string name() const = 0;
  /// The device this instance runs on.
  virtual Device device() const = 0;
  /// Device name as in error messages ("cpu(0)").
  std::string device_name() const { return device().ToString(); }

  // ---- kernels: one capability record per canonical operator name ----
  using LayoutSupport = LayoutSupportKind;
  static constexpr LayoutSupport kRowMajorOnly = LayoutSupportKind::kRowMajorOnly;
  static constexpr LayoutSupport kSameLayout = LayoutSupportKind::kSameLayout;
  static constexpr LayoutSupport kAnyLayout = LayoutSupportKind::kAnyLayout;
  /// Precision supports kernels register with (a float16 mode adds kFp16SameType...).
  static constexpr PrecisionSupport kFloat32Only{};
  static constexpr PrecisionSupport kBf16SameType{DTypeHandling::kSameType};
  static constexpr PrecisionSupport kBf16Converting{DTypeHandling::kConverting};
  static constexpr PrecisionSupport kFp16SameType{DTypeHandling::kNone, DTypeHandling::kSameType};
  static constexpr PrecisionSupport kFp16Converting{DTypeHandling::kNone,
                                                    DTypeHandling::kConverting};

  /// The record of `op`, or null when the backend has no kernel for it.
  const KernelRecord* Find(const std::string& op) const;
  bool Supports(const std::string& op) const { return Find(op) != nullptr; }
  LayoutSupport layout_support(const std::string& op) const;
  PrecisionSupport precision_support(const std::string& op) const;
  /// The canonical operator names this backend has kernels for, sorted.
  std::vector<std::string> kernel_names() const;
  /// Creates the kernel of args.node; throws kUnsupported when the backend has none or when an
  /// input's dtype is not one its record declares (the one dtype check of every node at bind).
  std::unique_ptr<Kernel> CreateKernel(const KernelArgs& args) const;
  /// Registers the kernel of a canonical operator name; used by RegisterKernels_* functions.
  /// Anything but kRowMajorOnly promises that the kernel honours the layout of every TensorDesc.
  /// The record's input dtypes are float32 until declared on the returned record
  /// (`r.Add(...).DTypes(dtypes::kAny)`).
  KernelRecord& Add(const std::string& op, KernelFactory factory,
                    LayoutSupport layouts = kRowMajorOnly,
                    PrecisionSupport precision = kFloat32Only);

  // ---- layouts ----
  /// Whether a plan of `compute_dtype` stores activations channels-last where its kernels take
  /// that layout (exec/layout.h). Both layouts give the same numbers; this is the backend's
  /// choice of the faster one, overridden by MXSERVE_LAYOUT.
  virtual bool PrefersChannelsLast(DType compute_dtype) const { return true; }

  // ---- compute dtypes ----
  /// The compute dtypes this backend's build implements, float32 first.
  virtual std::vector<DType> compute_dtypes() const = 0;
  /// Throws kUnsupported, naming what is missing, unless this machine runs `dtype` (one of
  /// compute_dtypes()); e.g. bfloat16 on a CPU without AVX512-BF16 or AMX.
  virtual void CheckComputeDType(DType dtype) const = 0;

  // ---- streams and memory ----
  virtual std::unique_ptr<Stream> CreateStream() const = 0;
  /// A stream for bind-time copies only, cheaper to make than an execution context's (the CUDA
  /// backend's has no library handles or workspace).
  virtual std::unique_ptr<Stream> CreateCopyStream() const { return CreateStream(); }
  /// True when device memory is host memory: caller inputs and parameters are then read in place
  /// and outputs written in place, without copies.
  virtual bool host_accessible() const = 0;
  /// `bytes` of device memory, 64-byte aligned; throws kOutOfMemory.
  virtual DeviceMemory Allocate(size_t bytes) const = 0;
  /// `bytes` of host memory suited to copies to and from the device (pinned where that matters).
  virtual DeviceMemory AllocateHost(size_t bytes) const = 0;
  enum class CopyKind { kHostToDevice, kDeviceToHost, kDeviceToDevice };
  /// Copies `bytes` from `src` to `dst`, ordered on `stream` (null: the default order); the copy
  /// is complete for the host after Synchronize(stream).
  virtual void Copy(void* dst, const void* src, size_t bytes, CopyKind kind,
                    Stream* stream) const = 0;
  /// Waits for everything queued on `stream`.
  virtual void Synchronize(Stream* stream) const = 0;

  // ---- recording: whole calls captured once and replayed (CUDA graphs) ----
  /// The work one call queued on a stream, recorded for replay; owned by an execution context.
  class Recording {
   public:
    virtual ~Recording() = default;
  };
  /// True when the backend records calls: the executor records a context's second call and
  /// replays the recording on later ones (its shapes and addresses never change).
  virtual bool records_calls() const { return false; }
  /// Starts recording what is queued on `stream`; nothing queued runs until Replay.
  virtual void BeginRecording(Stream* stream) const {}
  /// Ends the recording started on `stream`; throws when the work could not be recorded (the
  /// stream is usable again afterwards).
  virtual std::unique_ptr<Recording> EndRecording(Stream* stream) const { return nullptr; }
  /// Queues the recorded work on `stream`.
  virtual void Replay(const Recording& recording, Stream* stream) const {}

  // ---- threads ----
  /// Intra-op threads a call uses when the caller asks for 0.
  virtual int DefaultThreads() const = 0;
  /// Held while a call (or a bind, which sizes kernels by the thread count) runs; ends the scope
  /// on destruction. Moving it transfers the scope.
  class ThreadScope {
   public:
    ThreadScope(const Backend* backend, int token, bool bind)
        : backend_(backend), token_(token), bind_(bind) {}
    ThreadScope(ThreadScope&& o) noexcept : backend_(o.backend_), token_(o.token_), bind_(o.bind_) {
      o.backend_ = nullptr;
    }
    ThreadScope(const ThreadScope&) = delete;
    ThreadScope& operator=(const ThreadScope&) = delete;
    ThreadScope& operator=(ThreadScope&&) = delete;
    ~ThreadScope() {
      if (backend_ != nullptr) backend_->EndScope(token_, bind_);
    }

   private:
    const Backend* backend_;
    int token_;
    bool bind_;
  };
  /// Starts one call with `num_threads` intra-op threads on the calling thread (the CPU backend
  /// takes them from its process-wide core budget, waiting while they are in use).
  ThreadScope EnterCall(int num_threads) const {
    return ThreadScope(this, BeginScope(num_threads, false), false);
  }
  /// Sets `num_threads` for the kernels created while the scope lives (bind time).
  ThreadScope EnterBind(int num_threads) const {
    return ThreadScope(this, BeginScope(num_threads, true), true);
  }

 protected:
  /// Starts a call or bind scope; the token comes back to EndScope.
  virtual int BeginScope(int num_threads, bool bind) const = 0;
  virtual void EndScope(int token, bool bind) const = 0;

 private:
  std::map<std::string, KernelRecord> kernels_;
};

}  // namespace mxserve

/// Defines the registration function of backends/<dir>/<file>.cc.
#define MXS_REGISTER_KERNELS(backend, file) \
  void RegisterKernels_##backend##_##file(::mxserve::Backend& r)
