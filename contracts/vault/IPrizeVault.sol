// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IPrizeVault
/// @notice Planet's weekly prize vault. Each weekly epoch (the points contract's calendar) has a
///         pool in one asset, an ERC-20 or native OKB, fixed at deployment. Anyone funds a pool.
///         After the week ends a distributor proposes a Merkle root of `(account, amount)` leaves
///         with the total it pays and the URI and hash of the published distribution file. The
///         root becomes claimable once a challenge period has passed without a guardian veto.
///         Anyone can then submit an account's claim: the money only ever goes to that account.
///         When the claim window has closed, anyone can roll what is left into a later pool.
/// @dev Leaves are OpenZeppelin StandardMerkleTree leaves for `["address", "uint256"]`:
///      `keccak256(bytes.concat(keccak256(abi.encode(account, amount))))`, with sorted-pair
///      hashing up the tree. Leaves carry no index, so claims are recorded per `(epoch, account)`:
///      the distribution builder must put an address in a distribution at most once (it sums an
///      account's rewards into one leaf); a second leaf for the same address could never be
///      claimed.
///
///      Rules that keep the books whole, per epoch: `paid <= total <= funded`; a root's total is
///      checked against the funds when proposed and funds only grow until the epoch is swept;
///      a sweep moves exactly `funded - paid` out and stops further claims. So the vault's balance
///      always covers the sum over epochs of `funded - paid - sweptOut`.
///
///      The claim window of an epoch with a claimable root closes `claimWindow` seconds after the
///      root became claimable; an epoch with no claimable root (none proposed, or vetoed) closes
///      the same time after the epoch ended, so funds nobody can claim are never stuck. While a
///      root is pending the window cannot close before `claimableAt + claimWindow`. Time the
///      vault spends paused after a root is proposed is added to that root's window, so a pause
///      never eats a claimant's time: when it ends, the window has as long left as when it began.
///
///      Role changes on the fund paths wait `ROLE_DELAY` (the challenge period plus two days):
///      granting DISTRIBUTOR_ROLE or GUARDIAN_ROLE and revoking GUARDIAN_ROLE go through
///      `scheduleRoleChange` / `executeRoleChange`, announced by `RoleChangeScheduled`, so a
///      root proposed before the change becomes final under the old holders, and the guardian
///      keeps its veto while a change is pending. The admin itself changes through OpenZeppelin's
///      AccessControlDefaultAdminRules (`beginDefaultAdminTransfer`, accepted after a delay no
///      shorter than `ROLE_DELAY`). Revoking a distributor, or renouncing a role, is immediate.
///
///      Failures from the OpenZeppelin bases keep their names: `AccessControlUnauthorizedAccount`
///      (missing role), `EnforcedPause` / `ExpectedPause` (pause state), and
///      `ReentrancyGuardReentrantCall` (a re-entered fund, claim, claimMany or sweep).
interface IPrizeVault {
    /// @notice Where an epoch's root stands; only `Proposed` roots ever become claimable.
    enum RootStatus {
        None,
        Proposed,
        Vetoed
    }

    /// @notice The slot every claim reads and writes: what the root pays and how much it has.
    /// @param total What the root distributes; claims can never pay more.
    /// @param paid What has been claimed so far.
    /// @param claimableAt When the proposed root became (or becomes) claimable.
    /// @param status None, Proposed (pending or claimable, see `claimableAt`) or Vetoed.
    /// @param swept Whether the remainder was swept out; claims stop for good.
    struct Payout {
        uint96 total;
        uint96 paid;
        uint40 claimableAt;
        RootStatus status;
        bool swept;
    }

    /// @notice What came in and what rolled over; claims never touch it.
    /// @param funded Everything that went into the pool: funding plus sweeps from older epochs.
    /// @param sweptOut What the sweep moved to a later epoch (`funded - paid` at that time).
    struct Pool {
        uint96 funded;
        uint96 sweptOut;
    }

    /// @notice What `epochInfo` reports for an epoch: its current root, that root's payout and
    ///         the pool; amounts are in the asset's base units, at most 2^96 - 1 per epoch.
    /// @param root Merkle root of the current (or vetoed) proposal; zero until one is proposed.
    struct Epoch {
        bytes32 root;
        Payout payout;
        Pool pool;
    }

    // ---------------------------------------------------------------- errors

    /// @notice A constructor argument is unusable: a zero role holder or epoch source, an asset
    ///         that is not a contract, a zero or too long challenge period, or a zero claim window.
    error VaultBadConfig();
    /// @notice Funding 0 or proposing a root that pays 0: rejected rather than recorded as noise.
    error VaultZeroAmount();
    /// @notice The native value sent is not the amount named (an ERC-20 vault takes no value).
    error VaultWrongValue(uint256 expected, uint256 sent);
    /// @notice The vault received less than the amount pulled (fee-on-transfer or rebasing
    ///         tokens are not supported as prize assets).
    error VaultFeeOnTransfer(uint256 expected, uint256 received);
    /// @notice The epoch's pool would exceed 2^96 - 1 base units.
    error VaultAmountOverflow(uint256 epoch, uint256 amount);
    /// @notice The epoch's root is already claimable, or the epoch was swept: its pool can no
    ///         longer grow (fund a later epoch instead).
    error VaultEpochFinalized(uint256 epoch);
    /// @notice Roots are proposed only for weeks that have ended.
    error VaultEpochNotEnded(uint256 epoch, uint256 currentEpoch);
    /// @notice A zero root would prove nothing.
    error VaultZeroRoot();
    /// @notice The epoch already has a pending or claimable root; only a vetoed one is replaced.
    error VaultRootAlreadyProposed(uint256 epoch);
    /// @notice The root would distribute more than the epoch's pool holds.
    error VaultTotalExceedsFunds(uint256 epoch, uint256 total, uint256 funded);
    /// @notice There is no proposed root to veto.
    error VaultNoPendingRoot(uint256 epoch);
    /// @notice The challenge period is over: the root is final and can no longer be vetoed.
    error VaultChallengePeriodOver(uint256 epoch, uint256 claimableAt);
    /// @notice The epoch has no root to claim against.
    error VaultNoRoot(uint256 epoch);
    /// @notice The epoch's root was vetoed; wait for a new proposal.
    error VaultRootVetoed(uint256 epoch);
    /// @notice The root is still in its challenge period.
    error VaultRootNotReady(uint256 epoch, uint256 claimableAt);
    /// @notice The epoch's remainder was swept: it takes no claim, proposal or second sweep.
    error VaultEpochSwept(uint256 epoch);
    /// @notice The account already claimed this epoch.
    error VaultAlreadyClaimed(uint256 epoch, address account);
    /// @notice The proof does not show `(account, amount)` under the epoch's root.
    error VaultInvalidProof(uint256 epoch, address account, uint256 amount);
    /// @notice Paying this claim would take the epoch past its root's total (a faulty tree).
    error VaultExceedsTotal(uint256 epoch, uint256 paid, uint256 amount, uint256 total);
    /// @notice A claimMany with no items, or lists of different lengths.
    error VaultBadBatch(uint256 epochs, uint256 amounts, uint256 proofs);
    /// @notice Paying native OKB to the account failed (it rejects value, or ran out of gas).
    error VaultNativePaymentFailed(address account, uint256 amount);
    /// @notice The epoch's claim window is still open until `closesAt`.
    error VaultClaimWindowOpen(uint256 epoch, uint256 closesAt);
    /// @notice A sweep must go to a later epoch that is not later than the current one.
    error VaultBadSweepTarget(uint256 fromEpoch, uint256 toEpoch);
    /// @notice Everything in the epoch was paid out: nothing to sweep.
    error VaultNothingToSweep(uint256 epoch);
    /// @notice Pools can be funded at most 52 weeks past the current epoch (`latest`).
    error VaultEpochTooFar(uint256 epoch, uint256 latest);
    /// @notice The sweep target has a pending or claimable root, whose total is already fixed:
    ///         sweep into an epoch without one (the current epoch never has one).
    error VaultSweepTargetHasRoot(uint256 epoch);
    /// @notice This role change waits `ROLE_DELAY`: use `scheduleRoleChange`.
    error VaultRoleChangeDelayed(bytes32 role, address account, bool grant);
    /// @notice Only delayed changes (grant DISTRIBUTOR or GUARDIAN, revoke GUARDIAN) are scheduled;
    ///         others are made with `grantRole` / `revokeRole` at once.
    error VaultRoleChangeNotDelayed(bytes32 role, bool grant);
    /// @notice The same change is already scheduled.
    error VaultRoleChangePending(bytes32 role, address account, bool grant);
    /// @notice No such change is scheduled.
    error VaultNoRoleChange(bytes32 role, address account, bool grant);
    /// @notice The change's delay has not passed; it can be executed from `executableAt`.
    error VaultRoleChangeNotReady(bytes32 role, address account, bool grant, uint256 executableAt);
    /// @notice The default admin delay may not go below `ROLE_DELAY`.
    error VaultRoleDelayTooShort(uint256 delay, uint256 minimum);

    // ---------------------------------------------------------------- events

    /// @notice `funder` added `amount` to the epoch's pool, which now holds `funded` in total.
    event Funded(uint256 indexed epoch, address indexed funder, uint256 amount, uint256 funded);
    /// @notice A root was proposed; it becomes claimable at `claimableAt` unless vetoed.
    /// @param uri Where the distribution file is published.
    /// @param fileHash keccak256 of that file's bytes, so anyone can check what is served and
    ///        recompute the root from it.
    event RootProposed(
        uint256 indexed epoch,
        bytes32 root,
        uint256 total,
        string uri,
        bytes32 fileHash,
        uint256 claimableAt,
        address indexed distributor
    );
    /// @notice A guardian vetoed the epoch's pending root; a new one may be proposed.
    event RootVetoed(uint256 indexed epoch, bytes32 root, string reason, address indexed guardian);
    /// @notice `account` was paid `amount` for the epoch (whoever sent the transaction; the
    ///         transaction itself names its sender, kept out of this event to save gas).
    event Claimed(uint256 indexed epoch, address indexed account, uint256 amount);
    /// @notice The unclaimed remainder of `fromEpoch` moved into `toEpoch`'s pool.
    event Swept(uint256 indexed fromEpoch, uint256 indexed toEpoch, uint256 amount, address caller);
    /// @notice A pause that began at `pausedAt` ended at `unpausedAt` (beside OpenZeppelin's
    ///         `Unpaused`, which carries no times). Every root proposed before `unpausedAt` has its
    ///         claim window extended by the part of the pause after its proposal.
    event PauseEnded(uint256 pausedAt, uint256 unpausedAt);
    /// @notice `admin` scheduled granting (`grant`) or revoking `role` for `account`; anyone may
    ///         execute it from `executableAt` unless the admin cancels it first.
    event RoleChangeScheduled(
        bytes32 indexed role, address indexed account, bool grant, uint256 executableAt, address admin
    );
    /// @notice `admin` cancelled a scheduled role change.
    event RoleChangeCancelled(bytes32 indexed role, address indexed account, bool grant, address admin);
    /// @notice `caller` executed a scheduled role change (AccessControl's RoleGranted or
    ///         RoleRevoked is emitted too when the role actually changed).
    event RoleChangeExecuted(bytes32 indexed role, address indexed account, bool grant, address caller);

    // ---------------------------------------------------------------- writes

    /// @notice Adds `amount` to the epoch's pool: native OKB as exactly `msg.value`, or an
    ///         ERC-20 pulled from the caller (approve first). Any epoch whose root is not yet
    ///         claimable may be funded, past, current or up to 52 weeks ahead (VaultEpochTooFar
    ///         beyond). Reverts while paused.
    function fund(uint256 epoch, uint256 amount) external payable;

    /// @notice Proposes the root of an ended epoch; DISTRIBUTOR_ROLE only. The epoch must have
    ///         no root or a vetoed one, and `total` must not exceed its pool. Allowed while paused.
    function proposeRoot(uint256 epoch, bytes32 root, uint256 total, string calldata uri, bytes32 fileHash) external;

    /// @notice Rejects a pending root during its challenge period; GUARDIAN_ROLE only. Allowed
    ///         while paused.
    function veto(uint256 epoch, string calldata reason) external;

    /// @notice Pays `account` its `amount` for the epoch, proven by `proof` against the epoch's
    ///         claimable root. Anyone may submit it. Reverts while paused.
    function claim(uint256 epoch, address account, uint256 amount, bytes32[] calldata proof) external;

    /// @notice Claims several epochs for one account and pays the sum in one transfer. Items the
    ///         account already claimed (earlier, by anyone, or twice in the batch) are skipped,
    ///         so nobody can void the batch by claiming one item in front of it; any other bad
    ///         item reverts all with that item's error. Pays nothing (and does not revert) when
    ///         every item was claimed already. Reverts while paused.
    function claimMany(
        uint256[] calldata epochs,
        address account,
        uint256[] calldata amounts,
        bytes32[][] calldata proofs
    ) external;

    /// @notice Moves `fromEpoch`'s unclaimed remainder into the pool of `toEpoch` once the claim
    ///         window closed; anyone may call. `toEpoch` must be later than `fromEpoch`, no later
    ///         than the current epoch (so nobody can park funds in a far future week), not
    ///         finalized and without a pending root (VaultSweepTargetHasRoot). Ends claims for
    ///         `fromEpoch`. Reverts while paused, since claims are
    ///         paused too.
    function sweep(uint256 fromEpoch, uint256 toEpoch) external;

    /// @notice Stops fund, claim, claimMany and sweep; GUARDIAN_ROLE only.
    function pause() external;

    /// @notice Resumes them; DEFAULT_ADMIN_ROLE only, so one guardian key can stop the vault
    ///         quickly but restarting it is the admin's decision. The paused time is added to
    ///         the claim window of every epoch with a root proposed before or during the pause.
    function unpause() external;

    /// @notice Schedules a delayed role change: granting DISTRIBUTOR_ROLE or GUARDIAN_ROLE
    ///         (`grant` true) or revoking GUARDIAN_ROLE (`grant` false); DEFAULT_ADMIN_ROLE only.
    /// @return executableAt When anyone may execute it: now + `ROLE_DELAY`.
    function scheduleRoleChange(bytes32 role, address account, bool grant) external returns (uint256 executableAt);

    /// @notice Drops a scheduled role change; DEFAULT_ADMIN_ROLE only.
    function cancelRoleChange(bytes32 role, address account, bool grant) external;

    /// @notice Makes a scheduled role change once its delay passed; anyone may call.
    function executeRoleChange(bytes32 role, address account, bool grant) external;

    // ---------------------------------------------------------------- reads

    /// @notice The payout asset; address(0) for native OKB.
    function ASSET() external view returns (address);

    /// @notice Seconds a proposed root waits for a veto before it becomes claimable.
    function CHALLENGE_PERIOD() external view returns (uint256);

    /// @notice Seconds an epoch stays claimable before its remainder may be swept.
    function CLAIM_WINDOW() external view returns (uint256);

    /// @notice Seconds a delayed role change waits: `CHALLENGE_PERIOD` plus two days.
    function ROLE_DELAY() external view returns (uint256);

    /// @notice When a scheduled role change becomes executable, or 0 if none is scheduled.
    function roleChangeExecutableAt(bytes32 role, address account, bool grant) external view returns (uint256);

    /// @notice Everything stored for `epoch`.
    function epochInfo(uint256 epoch) external view returns (Epoch memory);

    /// @notice Whether `account` was paid for `epoch`.
    function isClaimed(uint256 epoch, address account) external view returns (bool);

    /// @notice Whether the epoch's root is claimable now (proposed, unvetoed, challenge period
    ///         over, not swept).
    function isClaimable(uint256 epoch) external view returns (bool);

    /// @notice When the epoch's remainder may be swept, by the rule above; it moves later if a
    ///         root is proposed, and while the vault is paused. `type(uint256).max` for an epoch
    ///         without a root beyond the fundable range (it holds nothing).
    function claimWindowClosesAt(uint256 epoch) external view returns (uint256);

    /// @notice The StandardMerkleTree leaf the vault proves for `(account, amount)`.
    function leaf(address account, uint256 amount) external pure returns (bytes32);
}
