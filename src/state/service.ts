import { nodeService } from './service/nodes.js';
import type { StateService, StateServiceDeps } from './service/contract.js';
import { presenceService } from './service/presence.js';
import { roomService } from './service/rooms.js';
import { statusService } from './service/status.js';
import { studyService } from './service/study.js';
import { voiceService } from './service/voice.js';

export type * from './service/contract.js';

/**
 * The state service: each domain file under service/ validates its input,
 * reads the clock and makes one engine call per operation.
 */
export function createStateService(deps: StateServiceDeps): StateService {
  const study = studyService(deps);
  return {
    ...presenceService(deps),
    ...statusService(deps),
    ...voiceService(deps),
    ...study,
    ...roomService(deps),
    ...nodeService(deps, study.closeEndedDays),
    async ready() {
      try {
        await deps.engine.ping();
        return true;
      } catch {
        return false;
      }
    },
  };
}
