import type { ReadModel } from './engine/read-model.ts';
import { channelsReadModel } from './channels/read-model.ts';
import { donationsReadModel } from './donations/read-model.ts';
import { followsReadModel } from './follows/read-model.ts';
import { lettersReadModel } from './letters/read-model.ts';
import { messagesReadModel } from './messages/read-model.ts';
import { notificationsReadModel } from './notifications/read-model.ts';
import { personalInvitesReadModel } from './personal-invites/read-model.ts';
import { readStatesReadModel } from './read-states/read-model.ts';
import { revoltsReadModel } from './revolts/read-model.ts';
import { usersReadModel } from './users/read-model.ts';
import { voiceSessionsReadModel } from './voice/read-model.ts';

/** Every read model, each its own ordered lane. */
export const readModels: ReadModel[] = [usersReadModel, revoltsReadModel, channelsReadModel, messagesReadModel, donationsReadModel, voiceSessionsReadModel, lettersReadModel, followsReadModel, notificationsReadModel, personalInvitesReadModel, readStatesReadModel];
