package redisstore

import "github.com/redis/go-redis/v9"

// Client returns the store's Redis client, for what shares the store's Redis (the API's
// rate limits). The store still owns it: Close closes it when Open created it.
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Prefix returns the prefix of the store's keys.
func (s *Store) Prefix() string { return s.prefix }
