// The start of a stream (src/session/start-stream.ts) against scripted host calls: launch when
// nothing runs, resume the same app, refuse while another app runs, and pass every failure on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NvHttpContext } from '../../../src/app/hosts/host-api.ts';
import type { ServiceError, StreamStage } from '../../../src/app/services.ts';
import { createCancelSource, type CancelSignal } from '../../../src/lib/cancel.ts';
import { err, ok, type Result } from '../../../src/lib/result.ts';
import type { HostEndpoint, ServerInfo } from '../../../src/nvhttp/nvhttp-client.ts';
import { launchKeysFrom, type LaunchRequest, type LaunchResult } from '../../../src/session/launch.ts';
import type { StreamStartError } from '../../../src/session/rtsp-error.ts';
import type { HandshakeParams } from '../../../src/session/rtsp-handshake.ts';
import { prepareStream, type StartStreamApi } from '../../../src/session/start-stream.ts';
import { DEFAULT_STREAM_SETTINGS, VideoFormat, type StreamConfig } from '../../../src/session/stream-config.ts';

const HOST: HostEndpoint = { address: '192.0.2.7', httpPort: 47989, httpsPort: 47984, pinnedCertDer: new Uint8Array([1]) };
const CTX = {} as NvHttpContext;
const KEYS = launchKeysFrom(new Uint8Array(16).fill(7), -5);

function serverInfo(currentGame: number): ServerInfo {
  return {
    hostName: 'pc', appVersion: '7.1.431.-1', gfeVersion: '', uniqueId: 'u', httpsPort: 47984, externalPort: 47989, maxLumaPixelsHevc: 0, mac: null, localIp: '',
    codecModeSupport: 0x301, paired: true, currentGame, state: currentGame === 0 ? 'SUNSHINE_SERVER_FREE' : 'SUNSHINE_SERVER_BUSY', busy: currentGame !== 0, isNvidia: false, secure: true,
  };
}

function streamConfig(): StreamConfig {
  return {
    hostAddress: HOST.address,
    ports: { video: 47998, audio: 48000, control: 47999 },
    video: { codec: 'hevc', format: VideoFormat.H265, width: 1280, height: 720, fps: 60, packetSizeBytes: 1392, announcedBitrateKbps: 8000, configuredBitrateKbps: 10000, minRequiredFecPackets: 2, referenceFrameInvalidation: false, tenBit: false, yuv444: false, encoderCscMode: 0, slicesPerFrame: 1 },
    audio: { channels: 2, channelMask: 3, streams: 1, coupledStreams: 1, mapping: [0, 1], packetDurationMs: 5, highQuality: false },
    encryption: { rtsp: true, enabledFlags: 5, control: true, video: false, audio: true },
    pingPayload: '0123456789ABCDEF',
    control: { connectData: 1234, channelCount: 48, protocol: 13 },
    hostFeatureFlags: 2,
    clientFeatureFlags: 3,
    nvFeatureFlags: 167,
    rtspSessionId: 'DEADBEEFCAFE',
    keys: KEYS,
  };
}

interface Script {
  info?: Result<ServerInfo, ServiceError>;
  launch?: Result<LaunchResult, ServiceError>;
  negotiate?: Result<StreamConfig, StreamStartError>;
  /** Runs while the launch request is in flight. */
  duringLaunch?: () => void;
}

function scriptedApi(script: Script) {
  const calls: string[] = [];
  const launchRequests: LaunchRequest[] = [];
  const handshakes: HandshakeParams[] = [];
  const launched = (kind: LaunchResult['kind']): Result<LaunchResult, ServiceError> =>
    script.launch ?? ok({ kind, rtsp: { url: 'rtspenc://192.0.2.7:48010', port: 48010, encrypted: true }, keys: KEYS });
  const api: StartStreamApi = {
    async getServerInfo() {
      calls.push('serverinfo');
      return script.info ?? ok(serverInfo(0));
    },
    async launchApp(_ctx, _host, req, options: { timeoutMs: number; cancel?: CancelSignal }) {
      calls.push('launch');
      launchRequests.push(req);
      script.duringLaunch?.();
      return options.cancel?.cancelled === true ? err({ kind: 'cancelled' }) : launched('launched');
    },
    async resumeApp(_ctx, _host, req) {
      calls.push('resume');
      launchRequests.push(req);
      return launched('resumed');
    },
    async negotiate(_ctx, params) {
      calls.push('rtsp');
      handshakes.push(params);
      return script.negotiate ?? ok(streamConfig());
    },
  };
  return { api, calls, launchRequests, handshakes };
}

async function start(script: Script, appId = 42, settings = DEFAULT_STREAM_SETTINGS, cancel = createCancelSource()) {
  const scripted = scriptedApi(script);
  const stages: StreamStage[] = [];
  const result = await prepareStream(CTX, scripted.api, HOST, { appId, settings }, { onStage: (s) => stages.push(s), cancel: cancel.signal, checkTimeoutMs: 5000 });
  return { ...scripted, stages, result };
}

test('with nothing running the app is launched, then RTSP runs with the launch\'s keys and endpoint', async () => {
  const run = await start({});
  assert.deepEqual(run.calls, ['serverinfo', 'launch', 'rtsp']);
  assert.deepEqual(run.stages, ['checking-host', 'launching', 'negotiating']);
  assert.ok(run.result.ok, JSON.stringify(run.result));
  assert.deepEqual(run.result.value.info, { appId: 42, start: 'launched', codec: 'hevc', width: 1280, height: 720, fps: 60, hdr: false, audioChannels: 2 });
  assert.equal(run.handshakes[0]?.hostAddress, '192.0.2.7');
  assert.equal(run.handshakes[0]?.keys, KEYS);
  assert.deepEqual(run.handshakes[0]?.host, { appVersion: '7.1.431.-1', codecModeSupport: 0x301 });
  assert.deepEqual(run.handshakes[0]?.rtsp, { url: 'rtspenc://192.0.2.7:48010', port: 48010, encrypted: true });
});

test('the launch asks for the settings\' mode and audio, and for HDR only when a 10-bit format is offered', async () => {
  const plain = await start({});
  assert.deepEqual(plain.launchRequests[0], { appId: 42, width: 1280, height: 720, fps: 60, optimizeGameSettings: true, playAudioOnHost: false, audioChannels: 2, gamepadMask: 1, hdr: false, persistGamepads: false });
  const tenBit = await start({}, 42, { ...DEFAULT_STREAM_SETTINGS, width: 3840, height: 2160, fps: 120, audioChannels: 6, videoFormats: VideoFormat.H265 | VideoFormat.H265_MAIN10 });
  assert.equal(tenBit.launchRequests[0]?.hdr, true);
  assert.equal(tenBit.launchRequests[0]?.audioChannels, 6);
  assert.equal(tenBit.launchRequests[0]?.fps, 120);
});

test('the app that already runs is resumed, not launched again', async () => {
  const run = await start({ info: ok(serverInfo(42)) });
  assert.deepEqual(run.calls, ['serverinfo', 'resume', 'rtsp']);
  assert.deepEqual(run.stages, ['checking-host', 'resuming', 'negotiating']);
  assert.ok(run.result.ok);
  assert.equal(run.result.value.info.start, 'resumed');
});

test('another app running stops the start with app-running and its id, before any launch or resume', async () => {
  const run = await start({ info: ok(serverInfo(7)) });
  assert.deepEqual(run.calls, ['serverinfo']);
  assert.deepEqual(run.result, { ok: false, error: { kind: 'app-running', runningAppId: 7 } });
});

test('failures of the check, the launch and RTSP come back as service errors', async () => {
  const check = await start({ info: err({ kind: 'timeout', detail: 'no answer' }) });
  assert.deepEqual(check.result, { ok: false, error: { kind: 'timeout', detail: 'no answer' } });
  const refused: ServiceError = { kind: 'host-error', code: 503, message: 'Failed to initialize video capture/encoding. Is a display connected and turned on?' };
  const launch = await start({ launch: err(refused) });
  assert.deepEqual(launch.result, { ok: false, error: refused });
  assert.deepEqual(launch.calls, ['serverinfo', 'launch']);
  const rtsp = await start({ negotiate: err({ kind: 'rtsp-status', stage: 'announce', statusCode: 403, reason: 'Forbidden' }) });
  assert.deepEqual(rtsp.result, { ok: false, error: { kind: 'host-error', code: 403, message: 'The PC refused to start the stream at announce (Forbidden)' } });
});

test('a start cancelled during the launch answers cancelled and runs no RTSP', async () => {
  const cancel = createCancelSource();
  const run = await start({ duringLaunch: () => cancel.cancel() }, 42, DEFAULT_STREAM_SETTINGS, cancel);
  assert.deepEqual(run.result, { ok: false, error: { kind: 'cancelled' } });
  assert.deepEqual(run.calls, ['serverinfo', 'launch']);
});
