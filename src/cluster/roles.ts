/** One process of the local cluster: its name (the log prefix), its settings, and where it answers its health check. */
export interface ClusterRole {
  name: string;
  env: Record<string, string>;
  health: string;
  /** What the proxies send to it. */
  serves: 'api' | 'gateway' | 'voice' | 'none';
  port: number;
}

export interface ClusterPorts {
  /** The nodes listen on base, base+1, …; the proxies on the usual API_PORT/GATEWAY_PORT. */
  base: number;
  /** First RTC port of voice node 1 (node 2: +10); 0 lets the workers pick free ports. */
  voiceRtcPort: number;
}

const node = (runApi: boolean, runGateway: boolean, runVoice: boolean, projections: boolean) => ({
  RUN_API: String(runApi),
  RUN_GATEWAY: String(runGateway),
  RUN_VOICE: String(runVoice),
  RUN_PROJECTIONS: String(projections),
});

/**
 * docker-compose.yml's topology as processes on this machine: one projector (the only process that follows the store
 * and the only one that imports the shipped course), two API nodes, two gateway nodes, two voice nodes (gateways
 * with mediasoup, not elected publisher).
 */
export function clusterRoles({ base, voiceRtcPort }: ClusterPorts): ClusterRole[] {
  const api = (name: string, port: number): ClusterRole => ({
    name,
    port,
    serves: 'api',
    health: `http://127.0.0.1:${port}/health`,
    env: { ...node(true, false, false, false), API_PORT: String(port), IMPORT_COURSE: 'false' },
  });
  const gateway = (name: string, port: number, voice: boolean, rtcPort: number): ClusterRole => ({
    name,
    port,
    serves: voice ? 'voice' : 'gateway',
    health: `http://127.0.0.1:${port}/gateway/health`,
    env: {
      ...node(false, true, voice, false),
      GATEWAY_PORT: String(port),
      GATEWAY_PUBLISHER: String(!voice),
      IMPORT_COURSE: 'false',
      ...(voice ? { VOICE_NODE_ID: name, VOICE_WORKERS: '1', VOICE_RTC_PORT: String(rtcPort) } : {}),
    },
  });
  return [
    {
      name: 'projector',
      port: base,
      serves: 'none',
      health: `http://127.0.0.1:${base}/health`,
      env: { ...node(true, false, false, true), API_PORT: String(base) },
    },
    api('api-1', base + 1),
    api('api-2', base + 2),
    gateway('gateway-1', base + 3, false, 0),
    gateway('gateway-2', base + 4, false, 0),
    gateway('voice-1', base + 5, true, voiceRtcPort),
    gateway('voice-2', base + 6, true, voiceRtcPort === 0 ? 0 : voiceRtcPort + 10),
  ];
}
