// Audio FEC (data-plane.md §3.3): every block of 4 data packets (sequence numbers 4n … 4n+3)
// is protected by 2 parity shards, Reed-Solomon over GF(2^8)/0x11D, with a fixed 2×4 parity
// matrix that both Sunshine and GFE use instead of the Cauchy matrix of video FEC. Shards are
// the RTP payloads (the ciphertext when audio is encrypted) and all six of a block have one
// size. Any 4 of the 6 rebuild the block. The field arithmetic is the video FEC's
// (reed_solomon.hpp); this module only adds audio's shape and matrix.
#pragma once

#include <cstddef>
#include <cstdint>

#include "reed_solomon.hpp"

namespace gsc {

constexpr size_t kAudioFecDataShards = 4;
constexpr size_t kAudioFecParityShards = 2;
constexpr size_t kAudioFecTotalShards = kAudioFecDataShards + kAudioFecParityShards;

// The fixed rows, row-major (§3.3, taken by NVIDIA from OpenFEC). Nanors' Cauchy rows for 4+2
// would not interoperate with any host.
constexpr uint8_t kAudioFecParityMatrix[kAudioFecParityShards * kAudioFecDataShards] = {
    0x77, 0x40, 0x38, 0x0e,  //
    0xc7, 0xa7, 0x0d, 0x6c,
};

// Computes parity[j] = Σ row[j][i] · data[i] for both rows, shard_size_bytes each. For tests
// and tools: the receive path never encodes.
void audio_fec_encode(const ReedSolomon &rs, const uint8_t *const data[kAudioFecDataShards], size_t shard_size_bytes,
                      uint8_t *const parity[kAudioFecParityShards]);

// `shards` are the block's 6 buffers (4 data, then 2 parity), shard_size_bytes each; bit i of
// `present_mask` says shard i holds received bytes. Writes every missing data shard and
// returns true, or returns false and writes nothing when fewer than 4 shards are present.
// Parity buffers are only read. `rs` is only used as scratch during the call.
[[nodiscard]] bool audio_fec_recover(ReedSolomon &rs, uint8_t *const shards[kAudioFecTotalShards], uint32_t present_mask,
                                     size_t shard_size_bytes);

}  // namespace gsc
