// Codecs and bitrates of a room, from its channel's settings.
import type { types as ms } from 'mediasoup';
import type { RoomSettings, VideoQuality } from './types.ts';

export const DEFAULT_AUDIO_BITRATE = 64_000;

/** Video bitrate budget of one video source (webcam or screen), by the channel's videoQuality. */
const VIDEO_BUDGET: Record<VideoQuality, number> = { auto: 2_500_000, '720p': 2_500_000, '1080p': 4_500_000 };

/**
 * The router's codecs: Opus (its maxaveragebitrate is the channel's bitrate: the browser's encoder honours it from
 * the answer mediasoup-client builds out of these capabilities), VP8 and H264 (constrained baseline, what every
 * browser encodes in hardware), each with RTX/NACK/PLI/REMB/transport-cc as mediasoup adds them.
 */
export function mediaCodecs(settings: RoomSettings): ms.RouterRtpCodecCapability[] {
  return [
    {
      kind: 'audio',
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
      parameters: { useinbandfec: 1, usedtx: 1, maxaveragebitrate: audioBitrate(settings) },
    },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
    {
      kind: 'video',
      mimeType: 'video/H264',
      clockRate: 90000,
      parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
    },
  ];
}

export function audioBitrate(settings: RoomSettings): number {
  return settings.bitrate ?? DEFAULT_AUDIO_BITRATE;
}

/**
 * maxIncomingBitrate of a send transport: the mic (with 25% headroom for RTP/FEC overhead) plus a webcam and a
 * screen share at the channel's video quality. Beyond it mediasoup's REMB/transport-cc tells the client to back off.
 */
export function maxIncomingBitrate(settings: RoomSettings): number {
  return Math.round(audioBitrate(settings) * 1.25) + 2 * VIDEO_BUDGET[settings.videoQuality ?? 'auto'];
}
