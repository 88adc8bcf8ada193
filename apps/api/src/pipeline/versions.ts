// The versions of the models and settings an analysis used, recorded with every verdict so a decision
// can be traced to exactly what produced it.
import { createHash } from 'node:crypto';
import { FINGERPRINT_VERSION } from '@undub/inference/fingerprint';
import type { Separator } from '@undub/inference/separation';
import type { Config } from '../config';

export interface PipelineVersions {
  separationModel: Separator['info'];
  fingerprint: number;
  /** Hash of the verdict settings in force. */
  config: string;
}

export function configVersion(config: Config): string {
  const relevant = {
    reuploadScore: config.reuploadScore,
    originalScore: config.originalScore,
    autoFlagConfidence: config.autoFlagConfidence,
    autoClearConfidence: config.autoClearConfidence,
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 12);
}

export function pipelineVersions(separator: Separator, config: Config): PipelineVersions {
  return { separationModel: separator.info, fingerprint: FINGERPRINT_VERSION, config: configVersion(config) };
}
