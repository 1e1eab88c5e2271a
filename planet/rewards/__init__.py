"""Weekly rewards: allocating a pool by score, and the published distribution file."""
