import { CHECKPOINTS_COLLECTION } from './checkpoints.ts';

/**
 * What the lanes of an engine serve: read models, or reactors. Engines of two families share Redis, Mongo and a
 * metrics registry without meeting: each family has its own queues, checkpoint documents and metric names.
 */
export interface LaneFamily {
  /** Names the queues `${prefix}:${kind}:<lane>` and the metrics `${kind}_lag_events`, …: `projection`. */
  kind: string;
  /** The Mongo collection holding one checkpoint document per lane. */
  checkpoints: string;
  /** The metrics' label naming a lane (`read_model`); its words (`read model`) in their help. */
  label: string;
  /** Where a lane seen for the first time starts: a read model from the first event, so it holds the whole history. */
  startsAt: 'first-event' | 'head';
}

export const READ_MODELS: LaneFamily = {
  kind: 'projection',
  checkpoints: CHECKPOINTS_COLLECTION,
  label: 'read_model',
  startsAt: 'first-event',
};
