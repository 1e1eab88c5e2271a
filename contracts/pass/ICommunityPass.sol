// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title ICommunityPass
/// @notice Paid memberships for Planet creators, as ERC-1155 tokens: one token id per pass.
///         A creator holding a Planet identity defines a pass (price in native OKB or one ERC-20,
///         supply cap, per-wallet limit, lifetime or subscription, transferable or soulbound,
///         metadata URI); fans buy it for themselves or as a gift, and `hasAccess` is what gates
///         the creator's private community.
/// @dev Quantity rules:
///      - Lifetime pass (`duration == 0`): `mint` mints `quantity` tokens. `walletLimit` caps the
///        tokens ever minted to one wallet (as buyer or gift recipient); tokens received by
///        transfer do not count. Access: balance > 0.
///      - Subscription (`duration > 0`): always soulbound, one token per wallet (`walletLimit`
///        must be 1). `mint` mints that one token and `quantity` counts paid periods: expiry =
///        now + quantity × duration. `renew` adds periods to an existing holder from
///        max(now, expiry). Access: holds the token and now < expiry. Expired tokens stay held
///        (and soulbound), so a lapsed subscriber renews rather than mints again.
///      Every sale costs `price × quantity` (or × periods) at the price current at that moment;
///      `maxPrice` protects the buyer from a price raised in front of their transaction.
///      Proceeds: the platform fee in basis points is fixed per pass when it is created (later
///      fee changes apply only to passes created afterwards) and repeated in every sale event.
///      The fee share accrues to the treasury address current at the sale, the rest to the
///      creator; both withdraw by pull payment, per currency. Nothing is ever pushed to a creator.
///
///      Protocol v2 adds:
///      - Rights earned by contribution ({Requirements}): a creator may require a minimum of
///        contribution points (lifetime, or earned in the last `pointsWeeks` weekly epochs of
///        ContributionPoints, whose per-epoch balances are public) and/or a verified Planet
///        identity. The wallet that receives the rights is checked, on chain: the recipient of
///        a mint, the holder of a renewal, and the receiver of a transferred (transferable)
///        token, so moving a token between wallets never bypasses a requirement. A creator may
///        gift passes to chosen wallets in a batch ({gift}), where no requirement applies.
///      - Terms snapshotted per holder ({termsOf}): the unit price a holder last paid. A price
///        change applies to new buyers at once; a subscriber renews at no more than their
///        snapshot until `PRICE_NOTICE` has passed since the latest price change. The duration
///        of a pass never changes, so the snapshot's duration is the pass's.
///      - ERC-5643 adapted to ERC-1155: ERC-5643 keys a subscription by an ERC-721 token id; a
///        pass id here is shared by all its holders, so every function takes the holder as
///        well: {expiresAt}(passId, holder), {isRenewable}(passId), {renew} (ERC-5643's
///        `renewSubscription`, with periods and a price bound) and {cancelSubscription}(passId)
///        by the holder. `SubscriptionUpdate` carries the holder. Passes never renew
///        automatically, so cancelling means cancelling the latest payment: within the
///        creator's refund window after that payment, its unused part is refunded pro rata
///        (the creator's share, the platform fee is not refunded) from the creator's proceeds
///        to the holder's proceeds (pull: the holder calls {withdraw}), and the expiry goes
///        back to where the earlier payments left it. Because the signatures differ from
///        ERC-5643's, `supportsInterface` does not claim the ERC-5643 id.
///      - {canMint} and {canRenew}: whether a wallet may buy or renew now, and why not.
interface ICommunityPass {
    /// @notice What a creator chooses when defining a pass.
    /// @param currency address(0) for native OKB, otherwise the ERC-20 that pays for the pass.
    /// @param price Price per token (lifetime) or per period (subscription), in `currency` units;
    ///        0 makes the pass free.
    /// @param maxSupply Most tokens that may ever be minted (at least 1).
    /// @param walletLimit Most tokens that may be minted to one wallet (at least 1; exactly 1 for
    ///        a subscription).
    /// @param duration 0 for a lifetime pass, otherwise the subscription period in seconds.
    /// @param transferable Whether holders may transfer tokens; false makes the pass soulbound.
    ///        Subscriptions must be soulbound.
    /// @param royaltyBps ERC-2981 royalty paid to the creator on resales, at most 1000 (10%);
    ///        must be 0 for a soulbound pass.
    /// @param uri The pass's ERC-1155 metadata URI.
    struct PassTerms {
        address currency;
        uint128 price;
        uint64 maxSupply;
        uint64 walletLimit;
        uint64 duration;
        bool transferable;
        uint16 royaltyBps;
        string uri;
    }

    /// @notice What is stored per pass.
    /// @param feeBps Platform fee in basis points that applies to every sale of this pass, fixed
    ///        when the pass was created.
    /// @param minted Tokens minted so far (tokens are never burned, so this is the supply).
    struct Pass {
        address creator;
        uint64 duration;
        uint16 feeBps;
        uint16 royaltyBps;
        address currency;
        bool transferable;
        bool paused;
        uint64 walletLimit;
        uint128 price;
        uint64 maxSupply;
        uint64 minted;
        string uri;
    }

    /// @notice What is stored per (pass, wallet), packed in one storage slot.
    /// @param expiry End of the wallet's subscription (exclusive); 0 for lifetime passes and for
    ///        wallets never subscribed.
    /// @param minted Tokens minted to the wallet so far, what `walletLimit` counts.
    /// @param price The unit price (per token or period) of the wallet's latest purchase: the
    ///        terms a subscriber renews under during a price notice.
    struct Holding {
        uint64 expiry;
        uint64 minted;
        uint128 price;
    }

    /// @notice What a wallet must have earned to buy or renew a pass (all zero: nothing).
    /// @param minPoints Contribution points the wallet must hold (0: no points requirement).
    /// @param pointsWeeks 0 counts lifetime points; otherwise points earned in the current
    ///        weekly epoch and the `pointsWeeks - 1` before it (at most `MAX_POINTS_WEEKS`).
    /// @param verifiedIdentity Whether the wallet must hold a verified Planet identity.
    struct Requirements {
        uint64 minPoints;
        uint8 pointsWeeks;
        bool verifiedIdentity;
    }

    /// @notice Per-pass rules of protocol v2, packed in one slot.
    /// @param refundWindow Seconds after a subscription payment during which the holder may
    ///        cancel it for a pro-rata refund (0: no refunds).
    /// @param priceChangedAt When the creator last changed the price (0: never).
    struct Policy {
        uint64 minPoints;
        uint8 pointsWeeks;
        bool verifiedIdentity;
        uint64 refundWindow;
        uint64 priceChangedAt;
    }

    /// @notice The latest subscription payment of a holder, what a cancel may refund; written
    ///        only while the pass has a refund window.
    /// @param from Start of the time that payment bought (max(now, expiry) when paid).
    /// @param refundUntil End of the refund window of that payment (exclusive).
    /// @param paid The creator's share of that payment.
    struct Payment {
        uint64 from;
        uint64 refundUntil;
        uint128 paid;
    }

    /// @notice Why {canMint} or {canRenew} answers false (`None` when it answers true).
    enum Block {
        None,
        UnknownPass,
        SalesPaused,
        NotSubscription,
        NotHolder,
        SoldOut,
        WalletLimit,
        NotEnoughPoints,
        IdentityNotVerified
    }

    // ---------------------------------------------------------------- errors

    /// @notice A constructor argument, recipient or treasury is the zero address.
    error PassZeroAddress();
    /// @notice Only an account holding a Planet identity may create a pass.
    error PassNoIdentity(address creator);
    /// @notice No pass exists under this id.
    error PassUnknown(uint256 passId);
    /// @notice Only the pass's creator may change its price, cap or sales state.
    error PassNotCreator(uint256 passId, address caller);
    /// @notice A subscription (duration > 0) must be soulbound.
    error PassTransferableSubscription();
    /// @notice A pass needs a supply cap of at least 1.
    error PassZeroSupplyCap();
    /// @notice The wallet limit must be at least 1, and exactly 1 for a subscription.
    error PassInvalidWalletLimit(uint256 walletLimit);
    /// @notice The royalty exceeds the cap.
    error PassRoyaltyTooHigh(uint256 royaltyBps, uint256 maxRoyaltyBps);
    /// @notice A soulbound pass is never resold, so it cannot carry a royalty.
    error PassRoyaltyOnSoulbound(uint256 royaltyBps);
    /// @notice An ERC-20 currency must be a contract.
    error PassCurrencyNotContract(address currency);
    /// @notice The creator paused sales of this pass (mints and renewals).
    error PassSalesPaused(uint256 passId);
    /// @notice A sale of zero tokens or zero periods.
    error PassZeroQuantity();
    /// @notice Fewer tokens are left under the supply cap than requested.
    error PassSoldOut(uint256 passId, uint256 requested, uint256 available);
    /// @notice The wallet would receive more tokens than the pass's per-wallet limit allows.
    error PassWalletLimit(uint256 passId, address wallet, uint256 requested, uint256 remaining);
    /// @notice The current price is above the most the buyer agreed to pay per unit.
    error PassPriceAboveMax(uint256 passId, uint256 price, uint256 maxPrice);
    /// @notice `msg.value` must equal the cost for a native pass and be 0 for an ERC-20 pass.
    error PassWrongValue(uint256 expected, uint256 value);
    /// @notice The ERC-20 delivered a different amount than transferred (fee-on-transfer or
    ///         rebasing tokens are not supported).
    error PassFeeOnTransfer(address currency, uint256 expected, uint256 received);
    /// @notice Renewal applies only to subscriptions.
    error PassNotSubscription(uint256 passId);
    /// @notice Only a wallet already holding the subscription can be renewed.
    error PassNotHolder(uint256 passId, address holder);
    /// @notice The resulting expiry would not fit in 64 bits.
    error PassTermTooLong(uint256 passId);
    /// @notice A cap change must lower the cap.
    error PassCapNotLowered(uint256 passId, uint256 cap, uint256 newCap);
    /// @notice The cap cannot go below the tokens already minted.
    error PassCapBelowSupply(uint256 passId, uint256 minted, uint256 newCap);
    /// @notice Tokens of a soulbound pass (every subscription) never move after minting.
    error PassSoulbound(uint256 passId);
    /// @notice The platform fee exceeds the cap.
    error PassFeeTooHigh(uint256 feeBps, uint256 maxFeeBps);
    /// @notice The payee has no proceeds to withdraw in this currency.
    error PassNothingToWithdraw(address payee, address currency);
    /// @notice Sending native OKB to the recipient failed.
    error PassNativeTransferFailed(address to, uint256 amount);
    /// @notice `account` has fewer contribution points (counted as the pass counts them) than
    ///         the pass requires to receive or renew it.
    error PassNotEnoughPoints(uint256 passId, address account, uint256 points, uint256 required);
    /// @notice The pass requires a verified Planet identity and `account` holds none.
    error PassIdentityNotVerified(uint256 passId, address account);
    /// @notice The points window exceeds `MAX_POINTS_WEEKS`, or counts weeks without a minimum.
    error PassInvalidPointsWindow(uint256 pointsWeeks, uint256 maxWeeks);
    /// @notice The refund window exceeds `MAX_REFUND_WINDOW`.
    error PassRefundWindowTooLong(uint256 window, uint256 maxWindow);
    /// @notice A gift batch with no recipients or more than `MAX_GIFT_BATCH`.
    error PassBadGiftBatch(uint256 recipients, uint256 maxRecipients);
    /// @notice No payment of `holder` is refundable now: none was made while the pass had a
    ///         refund window, its window closed, or it was already refunded.
    error PassRefundWindowClosed(uint256 passId, address holder);
    /// @notice The creator has withdrawn the proceeds a refund would be paid from.
    error PassRefundUnfunded(uint256 passId, uint256 refund, uint256 available);

    // ---------------------------------------------------------------- events

    /// @notice A creator defined a new pass; `feeBps` is the platform fee fixed for its sales.
    event PassCreated(
        uint256 indexed passId,
        address indexed creator,
        address indexed currency,
        uint256 price,
        uint256 maxSupply,
        uint256 walletLimit,
        uint256 duration,
        bool transferable,
        uint256 royaltyBps,
        uint256 feeBps,
        string uri
    );
    /// @notice `payer` bought `quantity` tokens (lifetime) or periods (subscription) for `to`;
    ///         `cost` was split into `platformFee` (at `feeBps`) and the creator's share;
    ///         `expiry` is the holder's new expiry (0 for a lifetime pass).
    event PassMinted(
        uint256 indexed passId,
        address indexed payer,
        address indexed to,
        uint256 quantity,
        uint256 cost,
        uint256 platformFee,
        uint256 feeBps,
        uint256 expiry
    );
    /// @notice `payer` extended `holder`'s subscription by `periods` from `previousExpiry` (or
    ///         now, if later) to `expiry`; `cost` split as in {PassMinted}.
    event PassRenewed(
        uint256 indexed passId,
        address indexed payer,
        address indexed holder,
        uint256 periods,
        uint256 cost,
        uint256 platformFee,
        uint256 feeBps,
        uint256 previousExpiry,
        uint256 expiry
    );
    /// @notice The creator changed the price: new buyers pay it at once, existing subscribers
    ///         renew at no more than their snapshot until `holdersFrom`.
    event PassPriceChanged(uint256 indexed passId, uint256 previousPrice, uint256 price, uint256 holdersFrom);
    /// @notice The creator set what a wallet must have earned to buy or renew the pass.
    event PassRequirementsSet(uint256 indexed passId, uint256 minPoints, uint256 pointsWeeks, bool verifiedIdentity);
    /// @notice The creator set the refund window of future subscription payments.
    event PassRefundWindowSet(uint256 indexed passId, uint256 refundWindow);
    /// @notice The creator gave `quantity` tokens (lifetime) or periods (subscription) to `to`
    ///         for free; `expiry` as in {PassMinted}.
    event PassGifted(
        uint256 indexed passId, address indexed creator, address indexed to, uint256 quantity, uint256 expiry
    );
    /// @notice `holder` cancelled their latest payment: `refund` (in the pass's `currency`) moved
    ///         from the creator's proceeds to the holder's, and the expiry went back to `expiry`.
    event SubscriptionCancelled(
        uint256 indexed passId, address indexed holder, address indexed currency, uint256 refund, uint256 expiry
    );
    /// @notice `holder`'s latest subscription payment, which bought the time from `from`, may be
    ///         cancelled until `refundUntil` (exclusive) for a pro-rata share of `paid` (the
    ///         creator's share of it). A later renewal replaces it; a renewal without this event
    ///         leaves no refundable payment.
    event PaymentRefundable(
        uint256 indexed passId, address indexed holder, uint256 from, uint256 refundUntil, uint256 paid
    );
    /// @notice ERC-5643's event with the holder added: `holder`'s subscription to `passId` now
    ///         ends at `expiration`. Emitted on every mint, renewal, gift and cancel of a
    ///         subscription.
    event SubscriptionUpdate(uint256 indexed passId, address indexed holder, uint64 expiration);
    /// @notice The creator lowered the supply cap.
    event PassSupplyCapLowered(uint256 indexed passId, uint256 previousCap, uint256 cap);
    /// @notice The creator paused (`paused` true) or resumed sales.
    event PassSalesStateChanged(uint256 indexed passId, bool paused);
    /// @notice The admin changed the platform fee for passes created from now on.
    event PlatformFeeChanged(uint256 previousFeeBps, uint256 feeBps);
    /// @notice The admin changed the treasury that accrues platform fees from now on.
    event TreasuryChanged(address indexed previousTreasury, address indexed treasury);
    /// @notice `payee` withdrew its whole `currency` balance to `to`.
    event ProceedsWithdrawn(address indexed payee, address indexed currency, address indexed to, uint256 amount);

    // ---------------------------------------------------------------- creator

    /// @notice Defines a new pass owned by the caller, who must hold a Planet identity.
    /// @return passId The new pass id; ids are sequential from 1.
    function createPass(PassTerms calldata terms) external returns (uint256 passId);

    /// @notice Sets the price for future sales; creator only.
    function setPrice(uint256 passId, uint128 price) external;

    /// @notice Lowers the supply cap, never below the tokens already minted; creator only.
    function lowerSupplyCap(uint256 passId, uint64 newCap) external;

    /// @notice Pauses (`paused` true) or resumes mints and renewals; creator only.
    function setSalesPaused(uint256 passId, bool paused) external;

    /// @notice Sets what a wallet must have earned to buy or renew the pass; creator only.
    ///         Applies to every later mint, renewal and transfer; holders keep their tokens.
    function setRequirements(uint256 passId, Requirements calldata requirements) external;

    /// @notice Sets the refund window of subscription payments made from now on (at most
    ///         `MAX_REFUND_WINDOW`, 0 for none); creator only. Payments already made keep the
    ///         window they were made under.
    function setRefundWindow(uint256 passId, uint64 refundWindow) external;

    /// @notice Gives `quantity` tokens (lifetime) or periods (subscription) to each of
    ///         `recipients` for free, e.g. the week's top contributors; creator only, at most
    ///         `MAX_GIFT_BATCH` recipients. Supply cap and wallet limit apply; requirements and
    ///         the sales pause do not (the creator chose the recipients). A recipient already
    ///         holding the subscription gets the periods added to its expiry.
    function gift(uint256 passId, address[] calldata recipients, uint256 quantity) external;

    // ---------------------------------------------------------------- buyers

    /// @notice Buys a pass for `to` (the caller, or anyone as a gift), paid by the caller.
    /// @param quantity Tokens for a lifetime pass; periods for a subscription (one token).
    /// @param maxPrice The most the caller accepts to pay per token or period.
    /// @dev Native: `msg.value` must be exactly price × quantity. ERC-20: `msg.value` must be 0
    ///      and the caller must have approved the cost. A contract `to` must accept ERC-1155.
    function mint(uint256 passId, address to, uint256 quantity, uint256 maxPrice) external payable;

    /// @notice Extends `holder`'s subscription by `periods`, from max(now, expiry), paid by the
    ///         caller at the holder's renewal price ({renewalPrice}); payment rules as in
    ///         {mint}; `holder` must meet the pass's requirements. ERC-5643's
    ///         `renewSubscription`, per holder.
    function renew(uint256 passId, address holder, uint256 periods, uint256 maxPrice) external payable;

    /// @notice ERC-5643's `cancelSubscription`, per holder: the caller cancels its latest
    ///         payment within that payment's refund window. The unused part of it (pro rata of
    ///         the time it bought still ahead) moves from the creator's proceeds to the caller's;
    ///         the expiry goes back to max(now, start of that payment).
    /// @return refund The amount credited to the caller's proceeds in the pass's currency.
    function cancelSubscription(uint256 passId) external returns (uint256 refund);

    // ---------------------------------------------------------------- proceeds

    /// @notice Sends the caller's whole `currency` balance (address(0): native) to the caller.
    function withdraw(address currency) external;

    /// @notice Sends the caller's whole `currency` balance to `to`.
    function withdrawTo(address currency, address to) external;

    // ---------------------------------------------------------------- admin

    /// @notice Sets the platform fee for passes created from now on; DEFAULT_ADMIN_ROLE only,
    ///         at most 1000 bps.
    function setPlatformFee(uint16 feeBps) external;

    /// @notice Sets the address that accrues platform fees from now on; DEFAULT_ADMIN_ROLE only.
    function setTreasury(address treasury) external;

    // ---------------------------------------------------------------- reads

    /// @notice Whether `holder` may enter the pass's community now: holds a lifetime token, or
    ///         holds the subscription and it has not expired. False for an unknown pass.
    function hasAccess(address holder, uint256 passId) external view returns (bool);

    /// @notice Everything stored for a pass; reverts for an unknown id.
    function passes(uint256 passId) external view returns (Pass memory);

    /// @notice The id of the most recently created pass (0 before the first).
    function lastPassId() external view returns (uint256);

    /// @notice When `holder`'s subscription ends (exclusive), 0 if never subscribed.
    function expiryOf(uint256 passId, address holder) external view returns (uint256);

    /// @notice ERC-5643's `expiresAt`, per holder: as {expiryOf}, in 64 bits.
    function expiresAt(uint256 passId, address holder) external view returns (uint64);

    /// @notice ERC-5643's `isRenewable`: true for a subscription, false for a lifetime or
    ///         unknown pass.
    function isRenewable(uint256 passId) external view returns (bool);

    /// @notice The terms `holder` last bought under: unit price and the pass's duration, and
    ///         the expiry.
    function termsOf(uint256 passId, address holder)
        external
        view
        returns (uint256 price, uint256 duration, uint256 expiry);

    /// @notice The unit price `holder` renews at now: the current price, or during the notice
    ///         after a price change the lower of it and the holder's snapshot.
    function renewalPrice(uint256 passId, address holder) external view returns (uint256);

    /// @notice The pass's requirements, refund window and latest price change.
    function policy(uint256 passId) external view returns (Policy memory);

    /// @notice The latest subscription payment of `holder`, what {cancelSubscription} refunds.
    function lastPayment(uint256 passId, address holder) external view returns (Payment memory);

    /// @notice What {cancelSubscription} would credit `holder` now (0 when nothing is
    ///         refundable), and whether the creator's proceeds cover it.
    function refundable(uint256 passId, address holder) external view returns (uint256 refund, bool funded);

    /// @notice Contribution points of `account` as the pass counts them (lifetime or window).
    function pointsFor(uint256 passId, address account) external view returns (uint256);

    /// @notice Whether `account` may receive one token or period of the pass by {mint} now, and
    ///         if not the first reason (supply, wallet limit, points, identity...).
    function canMint(uint256 passId, address account) external view returns (bool, Block);

    /// @notice Whether `account`'s subscription may be renewed now, and if not why.
    function canRenew(uint256 passId, address account) external view returns (bool, Block);

    /// @notice Tokens of the pass minted to `wallet` so far (what the wallet limit counts).
    function mintedTo(uint256 passId, address wallet) external view returns (uint256);

    /// @notice Withdrawable proceeds of `payee` in `currency` (address(0): native).
    function proceeds(address payee, address currency) external view returns (uint256);

    /// @notice The platform fee in basis points that passes created now will carry.
    function platformFeeBps() external view returns (uint16);

    /// @notice The address that accrues platform fees from sales made now.
    function treasury() external view returns (address);
}
