/** The API's answers, as far as the pages read them (see /docs for the full schemas). */
export interface Author {
  token_id: number;
  handle: string | null;
  address: string;
}
export interface PostOut {
  id: number;
  author: Author;
  body: string;
  instruments: string[];
  disclosure: { holds_position: boolean | null; sponsored: boolean | null } | null;
  created_at: string;
  view_count: number;
  like_count: number;
  comment_count: number;
  visibility: "public" | "private";
}
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
export interface CommentOut {
  id: number;
  post_id: number;
  author: Author;
  body: string;
  created_at: string;
}
export interface CreatedPass {
  pass_id: number;
  currency: string;
  price: string;
  duration: number;
  minted: number;
  max_supply: string;
  paused: boolean;
}
export interface HeldPass {
  pass_id: number;
  creator: string;
  balance: number;
  expiry: number;
  active: boolean;
}
export interface Profile {
  handle: string;
  address: string;
  token_id: number;
  verified: boolean;
  labels: string[];
  metadata_uri: string;
  metadata_hash: string;
  persona: { bio: string; avatar_url: string | null; links: string[]; pinned_post_ids: number[] } | null;
  persona_hash: string | null;
  persona_verified: boolean;
  points: { epoch: number | null; this_epoch: number; total: number };
  passes: { held: HeldPass[]; created: CreatedPass[] };
}
export interface NotificationOut {
  id: number;
  kind:
    | "post"
    | "live"
    | "comment"
    | "like"
    | "pass_expiring"
    | "pass_lapsed"
    | "reward_claimable"
    | "attestation_revoked";
  text: string;
  excerpt: string | null;
  link: string | null;
  actor: Author | null;
  post_id: number | null;
  comment_id: number | null;
  session_id: number | null;
  created_at: string;
  read: boolean;
  read_at: string | null;
}
export interface NotificationPage extends Page<NotificationOut> {
  unread: number;
}
