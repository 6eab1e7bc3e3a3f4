#include "audio_fec.hpp"

namespace gsc {

void audio_fec_encode(const ReedSolomon &rs, const uint8_t *const data[kAudioFecDataShards], size_t shard_size_bytes,
                      uint8_t *const parity[kAudioFecParityShards]) {
    for (size_t j = 0; j < kAudioFecParityShards; ++j) {
        const uint8_t *row = kAudioFecParityMatrix + j * kAudioFecDataShards;
        for (size_t x = 0; x < shard_size_bytes; ++x) {
            uint8_t sum = 0;
            for (size_t i = 0; i < kAudioFecDataShards; ++i) sum ^= rs.mul(row[i], data[i][x]);
            parity[j][x] = sum;
        }
    }
}

bool audio_fec_recover(ReedSolomon &rs, uint8_t *const shards[kAudioFecTotalShards], uint32_t present_mask,
                       size_t shard_size_bytes) {
    bool present[kAudioFecTotalShards];
    for (size_t i = 0; i < kAudioFecTotalShards; ++i) present[i] = (present_mask >> i) & 1u;
    return rs.reconstruct(kAudioFecDataShards, kAudioFecParityShards, kAudioFecParityMatrix, shards, present, 0,
                          shard_size_bytes);
}

}  // namespace gsc
