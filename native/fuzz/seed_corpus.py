#!/usr/bin/env python3
"""Seeds a fuzz target's corpus with runs of real host datagrams from the recorded sessions.

    seed_corpus.py video CAPTURES CORPUS    video target: a selector byte, then per datagram
                                            a 2-byte length and the datagram
    seed_corpus.py session CAPTURES CORPUS  session target: a config byte, then per datagram
                                            an opcode (channel, milliseconds since the one
                                            before) and a 2-byte length

Only the host's UDP datagrams of classic pcap files with Ethernet and IPv4 are read, which is
how the recordings in ../shared/captures are laid out.
"""
import os
import struct
import sys

VIDEO_PORT, CONTROL_PORT, AUDIO_PORT = 47998, 47999, 48000


def host_datagrams(path, ports):
    """Yields (time in microseconds, source port, UDP payload) for datagrams sent from `ports`."""
    data = open(path, 'rb').read()
    at = 24  # pcap global header
    while at + 16 <= len(data):
        sec, usec, incl = struct.unpack_from('<III', data, at)
        frame = data[at + 16: at + 16 + incl]
        at += 16 + incl
        # Ethernet II carrying IPv4 (0x0800) carrying UDP (protocol 17).
        if len(frame) < 42 or frame[12:14] != b'\x08\x00' or frame[23] != 17:
            continue
        udp = 14 + (frame[14] & 15) * 4
        sport = struct.unpack_from('>H', frame, udp)[0]
        if sport in ports:
            yield sec * 1000000 + usec, sport, frame[udp + 8:]


def write(corpus, name, body):
    with open(os.path.join(corpus, name), 'wb') as f:
        f.write(body)


def seed_video(captures, corpus):
    sessions = ('sunshine-0.23.1/dev-h264-720p60', 'sunshine-0.23.1/dev-h265-720p60', 'sunshine-2026.817/dev-h264-720p60')
    for session in sessions:
        path = os.path.join(captures, session, 'capture.pcap')
        if not os.path.exists(path):
            continue
        packets = [payload for _, _, payload in host_datagrams(path, (VIDEO_PORT,))]
        for n, start in enumerate(range(0, min(len(packets), 400), 40)):
            for selector in (0x00, 0x31):
                body = bytes([selector | (1 if 'h265' in session else 0)])
                for p in packets[start:start + 12]:
                    body += struct.pack('<H', len(p)) + p
                write(corpus, '%s-%d-%02x' % (session.replace('/', '_'), n, selector), body)


def seed_session(captures, corpus):
    channels = {VIDEO_PORT: 0, AUDIO_PORT: 1, CONTROL_PORT: 2}
    # Config bytes: bit 0 media only (else with the control stream), 0x04 HEVC, 0x10 encrypted
    # video, 0x20 encrypted audio.
    sessions = (('sunshine-0.23.1/dev-h264-720p60', 0x20), ('sunshine-0.23.1/dev-h265-720p60', 0x24),
                ('sunshine-2026.817/dev-h265-720p60-encvideo', 0x34))
    for session, selector in sessions:
        path = os.path.join(captures, session, 'capture.pcap')
        if not os.path.exists(path):
            continue
        packets = list(host_datagrams(path, channels))
        for n, start in enumerate(range(0, min(len(packets), 1200), 150)):
            for media_only in (1, 0):
                body, last = bytes([selector | media_only]), None
                for time_us, sport, payload in packets[start:start + 24]:
                    delta_ms = 0 if last is None else min(31, (time_us - last) // 1000)
                    last = time_us
                    body += bytes([channels[sport] | (delta_ms << 2)]) + struct.pack('<H', len(payload)) + payload
                write(corpus, '%s-%d-%d' % (session.replace('/', '_'), n, media_only), body)


if __name__ == '__main__':
    seeders = {'video': seed_video, 'session': seed_session}
    if len(sys.argv) != 4 or sys.argv[1] not in seeders:
        sys.exit('usage: seed_corpus.py video|session CAPTURES CORPUS')
    seeders[sys.argv[1]](sys.argv[2], sys.argv[3])
