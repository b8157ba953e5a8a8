// The API's signing keys from its configuration: the configured key (or an ephemeral one) signs;
// JWT_PUBLISHED_KEYS are published for verification only (see SigningKeys.publish).

import type { Logger } from '@fanfare/fanout';
import type { ApiConfig } from './config.js';
import { SigningKeys } from './signing-keys.js';

export async function loadSigningKeys(
  config: Pick<ApiConfig, 'jwtPrivateKey' | 'jwtKid' | 'jwtPublishedKeys'>,
  logger: Logger,
): Promise<SigningKeys> {
  let keys: SigningKeys;
  if (config.jwtPrivateKey === undefined) {
    logger.warn(
      'JWT_PRIVATE_KEY is not set: signing with an ephemeral key. Tokens stop verifying when ' +
        'this process restarts, and other API replicas cannot share it.',
    );
    keys = await SigningKeys.generate(config.jwtKid);
  } else {
    keys = await SigningKeys.fromPem(config.jwtPrivateKey, config.jwtKid);
  }
  for (const pem of config.jwtPublishedKeys) await keys.publish({ pem });
  return keys;
}
