// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {ERC1155Utils} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Utils.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {ICommunityPass} from "./ICommunityPass.sol";
import {IIdentity} from "../identity/IIdentity.sol";
import {ContributionPoints} from "../points/ContributionPoints.sol";

/// @title CommunityPass
/// @notice Planet community passes. See {ICommunityPass} for the rules.
contract CommunityPass is ICommunityPass, IERC2981, ERC1155, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Highest platform fee the admin may set: 10%.
    uint16 public constant MAX_FEE_BPS = 1000;
    /// @notice Highest royalty a creator may choose: 10%.
    uint16 public constant MAX_ROYALTY_BPS = 1000;
    /// @notice Most weekly epochs a points requirement may count (each is one external read).
    uint8 public constant MAX_POINTS_WEEKS = 12;
    /// @notice Longest refund window a creator may set.
    uint64 public constant MAX_REFUND_WINDOW = 30 days;
    /// @notice How long after a price change subscribers renew at no more than their snapshot.
    uint64 public constant PRICE_NOTICE = 30 days;
    /// @notice Most recipients of one gift batch.
    uint256 public constant MAX_GIFT_BATCH = 100;
    /// @notice The protocol version of this deployment, as the manifest records it.
    uint256 public constant PROTOCOL_VERSION = 2;
    uint256 private constant _BPS = 10_000;

    /// @dev What a renewal wrote, for its event.
    struct Renewal {
        uint256 previous;
        uint256 start;
        uint256 expiry;
        uint256 cost;
        uint256 fee;
    }

    /// @notice The identity registry whose holders may create passes.
    IIdentity public immutable IDENTITY;
    /// @notice The contribution points a pass's requirements count.
    ContributionPoints public immutable POINTS;

    /// @inheritdoc ICommunityPass
    uint256 public lastPassId;
    /// @inheritdoc ICommunityPass
    address public treasury;
    /// @inheritdoc ICommunityPass
    uint16 public platformFeeBps;
    /// @inheritdoc ICommunityPass
    mapping(address payee => mapping(address currency => uint256)) public proceeds;
    /// @dev Pass slots: [creator, duration, feeBps, royaltyBps] [currency, transferable, paused,
    ///      walletLimit] [price, maxSupply, minted] [uri]; a sale reads the first three.
    mapping(uint256 passId => Pass) private _passes;
    /// @dev Holding slot: [expiry, minted, price snapshot], written by every sale anyway.
    mapping(uint256 passId => mapping(address wallet => Holding)) private _holdings;
    /// @dev One slot per pass, read by every sale (requirements) and renewal (notice).
    mapping(uint256 passId => Policy) private _policies;
    /// @dev One slot per subscriber, written only while the pass has a refund window, so passes
    ///      without refunds pay nothing for them.
    mapping(uint256 passId => mapping(address holder => Payment)) private _payments;

    constructor(IIdentity identity, ContributionPoints points, address admin, address treasury_, uint16 platformFeeBps_)
        ERC1155("")
    {
        if (address(identity) == address(0) || address(points) == address(0) || admin == address(0)) {
            revert PassZeroAddress();
        }
        IDENTITY = identity;
        POINTS = points;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setTreasury(treasury_);
        _setPlatformFee(platformFeeBps_);
    }

    // ------------------------------------------------------------ creator

    /// @inheritdoc ICommunityPass
    function createPass(PassTerms calldata terms) external returns (uint256 passId) {
        if (!IDENTITY.hasIdentity(msg.sender)) revert PassNoIdentity(msg.sender);
        if (terms.maxSupply == 0) revert PassZeroSupplyCap();
        if (terms.duration != 0 && terms.transferable) revert PassTransferableSubscription();
        if (terms.walletLimit == 0 || (terms.duration != 0 && terms.walletLimit != 1)) {
            revert PassInvalidWalletLimit(terms.walletLimit);
        }
        if (terms.royaltyBps > MAX_ROYALTY_BPS) revert PassRoyaltyTooHigh(terms.royaltyBps, MAX_ROYALTY_BPS);
        if (terms.royaltyBps != 0 && !terms.transferable) revert PassRoyaltyOnSoulbound(terms.royaltyBps);
        if (terms.currency != address(0) && terms.currency.code.length == 0) {
            revert PassCurrencyNotContract(terms.currency);
        }

        passId = ++lastPassId;
        uint16 feeBps = platformFeeBps;
        _passes[passId] = Pass({
            creator: msg.sender,
            duration: terms.duration,
            feeBps: feeBps,
            royaltyBps: terms.royaltyBps,
            currency: terms.currency,
            transferable: terms.transferable,
            paused: false,
            walletLimit: terms.walletLimit,
            price: terms.price,
            maxSupply: terms.maxSupply,
            minted: 0,
            uri: terms.uri
        });
        emit PassCreated(
            passId,
            msg.sender,
            terms.currency,
            terms.price,
            terms.maxSupply,
            terms.walletLimit,
            terms.duration,
            terms.transferable,
            terms.royaltyBps,
            feeBps,
            terms.uri
        );
        emit URI(terms.uri, passId);
    }

    /// @inheritdoc ICommunityPass
    function setPrice(uint256 passId, uint128 price) external {
        Pass storage p = _creatorPass(passId);
        _policies[passId].priceChangedAt = uint64(block.timestamp);
        emit PassPriceChanged(passId, p.price, price, block.timestamp + PRICE_NOTICE);
        p.price = price;
    }

    /// @inheritdoc ICommunityPass
    function lowerSupplyCap(uint256 passId, uint64 newCap) external {
        Pass storage p = _creatorPass(passId);
        uint64 cap = p.maxSupply;
        if (newCap >= cap) revert PassCapNotLowered(passId, cap, newCap);
        if (newCap < p.minted) revert PassCapBelowSupply(passId, p.minted, newCap);
        p.maxSupply = newCap;
        emit PassSupplyCapLowered(passId, cap, newCap);
    }

    /// @inheritdoc ICommunityPass
    function setSalesPaused(uint256 passId, bool paused) external {
        _creatorPass(passId).paused = paused;
        emit PassSalesStateChanged(passId, paused);
    }

    /// @inheritdoc ICommunityPass
    function setRequirements(uint256 passId, Requirements calldata r) external {
        _creatorPass(passId);
        if (r.pointsWeeks > MAX_POINTS_WEEKS || (r.pointsWeeks != 0 && r.minPoints == 0)) {
            revert PassInvalidPointsWindow(r.pointsWeeks, MAX_POINTS_WEEKS);
        }
        Policy storage pol = _policies[passId];
        pol.minPoints = r.minPoints;
        pol.pointsWeeks = r.pointsWeeks;
        pol.verifiedIdentity = r.verifiedIdentity;
        emit PassRequirementsSet(passId, r.minPoints, r.pointsWeeks, r.verifiedIdentity);
    }

    /// @inheritdoc ICommunityPass
    function setRefundWindow(uint256 passId, uint64 refundWindow) external {
        _creatorPass(passId);
        if (refundWindow > MAX_REFUND_WINDOW) revert PassRefundWindowTooLong(refundWindow, MAX_REFUND_WINDOW);
        _policies[passId].refundWindow = refundWindow;
        emit PassRefundWindowSet(passId, refundWindow);
    }

    /// @inheritdoc ICommunityPass
    function gift(uint256 passId, address[] calldata recipients, uint256 quantity) external nonReentrant {
        Pass storage p = _creatorPass(passId);
        uint256 n = recipients.length;
        if (n == 0 || n > MAX_GIFT_BATCH) revert PassBadGiftBatch(n, MAX_GIFT_BATCH);
        if (quantity == 0) revert PassZeroQuantity();
        uint256 duration = p.duration;
        for (uint256 i; i < n; ++i) {
            address to = recipients[i];
            if (to == address(0)) revert PassZeroAddress();
            Holding storage h = _holdings[passId][to];
            uint256 expiry;
            if (duration != 0 && h.expiry != 0) {
                // An existing subscriber: the gift adds periods, like a free renewal. Its
                // refundable payment stays as it was (the gift is not refundable).
                uint256 previous = h.expiry;
                expiry = _extended(passId, duration, previous > block.timestamp ? previous : block.timestamp, quantity);
                h.expiry = uint64(expiry);
                emit PassGifted(passId, msg.sender, to, quantity, expiry);
                emit SubscriptionUpdate(passId, to, uint64(expiry));
                continue;
            }
            uint256 tokens;
            (tokens, expiry) = _allocate(p, passId, to, quantity);
            emit PassGifted(passId, msg.sender, to, quantity, expiry);
            if (duration != 0) {
                // The recipient renews under the current price, like a buyer would.
                h.price = p.price;
                emit SubscriptionUpdate(passId, to, uint64(expiry));
            }
            _update(address(0), to, _single(passId), _single(tokens));
            ERC1155Utils.checkOnERC1155Received(msg.sender, address(0), to, passId, tokens, "");
        }
    }

    // ------------------------------------------------------------ buyers

    /// @inheritdoc ICommunityPass
    function mint(uint256 passId, address to, uint256 quantity, uint256 maxPrice) external payable nonReentrant {
        if (to == address(0)) revert PassZeroAddress();
        Pass storage p = _forSale(passId, quantity);
        uint256 price = p.price;
        if (price > maxPrice) revert PassPriceAboveMax(passId, price, maxPrice);
        Policy memory pol = _policies[passId];
        _checkRequirements(passId, pol, to);
        // Effects: supply, wallet count, expiry, proceeds and the ERC-1155 balance are all final
        // before the two external calls below (ERC-20 pull, receiver hook). The reads of the
        // requirement check above are views of Planet's own contracts.
        (uint256 tokens, uint256 expiry) = _allocate(p, passId, to, quantity);
        (uint256 cost, uint256 fee) = _charge(p, price, quantity);
        Holding storage h = _holdings[passId][to];
        h.price = uint128(price);
        emit PassMinted(passId, msg.sender, to, quantity, cost, fee, p.feeBps, expiry);
        if (expiry != 0) {
            // A mint is a wallet's first subscription payment (the wallet limit is 1), so there
            // is no older payment to clear when the pass has no refund window.
            if (pol.refundWindow != 0) _recordPayment(passId, pol, to, block.timestamp, cost - fee);
            emit SubscriptionUpdate(passId, to, uint64(expiry));
        }
        _update(address(0), to, _single(passId), _single(tokens));

        _pull(p.currency, cost);
        ERC1155Utils.checkOnERC1155Received(msg.sender, address(0), to, passId, tokens, "");
    }

    /// @inheritdoc ICommunityPass
    /// @dev Measured (make gas, pass_renew): 52,991 in v1, 60,796 in v2. The v2 share: the
    ///      policy slot read (requirements, notice), the read of an older refundable payment to
    ///      clear, and the ERC-5643 SubscriptionUpdate event; the snapshot shares the holding slot.
    function renew(uint256 passId, address holder, uint256 periods, uint256 maxPrice) external payable nonReentrant {
        Pass storage p = _forSale(passId, periods);
        if (p.duration == 0) revert PassNotSubscription(passId);
        Holding storage h = _holdings[passId][holder];
        if (h.expiry == 0) revert PassNotHolder(passId, holder);
        Policy memory pol = _policies[passId];
        uint256 price = _renewalPrice(p.price, pol, h.price);
        if (price > maxPrice) revert PassPriceAboveMax(passId, price, maxPrice);
        // The holder, not the payer, receives the rights: a wallet that misses a requirement
        // cannot be renewed by a friend that meets it.
        _checkRequirements(passId, pol, holder);
        Renewal memory r = _extend(p, h, passId, periods, price);
        emit PassRenewed(passId, msg.sender, holder, periods, r.cost, r.fee, p.feeBps, r.previous, r.expiry);
        emit SubscriptionUpdate(passId, holder, uint64(r.expiry));
        _recordPayment(passId, pol, holder, r.start, r.cost - r.fee);

        _pull(p.currency, r.cost);
    }

    /// @dev The effects of a renewal (expiry, snapshot, proceeds), returned
    ///      in memory: the nine-field event does not fit on the stack beside them.
    function _extend(Pass storage p, Holding storage h, uint256 passId, uint256 periods, uint256 price)
        private
        returns (Renewal memory r)
    {
        r.previous = h.expiry;
        r.start = r.previous > block.timestamp ? r.previous : block.timestamp;
        r.expiry = _extended(passId, p.duration, r.start, periods);
        h.expiry = uint64(r.expiry);
        h.price = uint128(price);
        (r.cost, r.fee) = _charge(p, price, periods);
    }

    /// @inheritdoc ICommunityPass
    function cancelSubscription(uint256 passId) external nonReentrant returns (uint256 refund) {
        Pass storage p = _existing(passId);
        if (p.duration == 0) revert PassNotSubscription(passId);
        Holding storage h = _holdings[passId][msg.sender];
        Payment memory pay = _payments[passId][msg.sender];
        uint256 expiry = h.expiry;
        if (pay.paid == 0 || block.timestamp >= pay.refundUntil || block.timestamp >= expiry) {
            revert PassRefundWindowClosed(passId, msg.sender);
        }
        uint256 start;
        (refund, start) = _refund(pay, expiry);
        address creator = p.creator;
        address currency = p.currency;
        uint256 available = proceeds[creator][currency];
        if (refund > available) revert PassRefundUnfunded(passId, refund, available);
        // Checks-effects: everything is written here; the holder withdraws later (pull).
        delete _payments[passId][msg.sender];
        h.expiry = uint64(start);
        proceeds[creator][currency] = available - refund;
        proceeds[msg.sender][currency] += refund;
        emit SubscriptionCancelled(passId, msg.sender, currency, refund, start);
        emit SubscriptionUpdate(passId, msg.sender, uint64(start));
    }

    // ------------------------------------------------------------ proceeds

    /// @inheritdoc ICommunityPass
    function withdraw(address currency) external nonReentrant {
        _withdraw(currency, msg.sender);
    }

    /// @inheritdoc ICommunityPass
    function withdrawTo(address currency, address to) external nonReentrant {
        if (to == address(0)) revert PassZeroAddress();
        _withdraw(currency, to);
    }

    function _withdraw(address currency, address to) private {
        uint256 amount = proceeds[msg.sender][currency];
        if (amount == 0) revert PassNothingToWithdraw(msg.sender, currency);
        proceeds[msg.sender][currency] = 0;
        emit ProceedsWithdrawn(msg.sender, currency, to, amount);
        if (currency == address(0)) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert PassNativeTransferFailed(to, amount);
        } else {
            IERC20(currency).safeTransfer(to, amount);
        }
    }

    // ------------------------------------------------------------ admin

    /// @inheritdoc ICommunityPass
    function setPlatformFee(uint16 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPlatformFee(feeBps);
    }

    /// @inheritdoc ICommunityPass
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury_);
    }

    function _setPlatformFee(uint16 feeBps) private {
        if (feeBps > MAX_FEE_BPS) revert PassFeeTooHigh(feeBps, MAX_FEE_BPS);
        emit PlatformFeeChanged(platformFeeBps, feeBps);
        platformFeeBps = feeBps;
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert PassZeroAddress();
        emit TreasuryChanged(treasury, treasury_);
        treasury = treasury_;
    }

    // ------------------------------------------------------------ reads

    /// @inheritdoc ICommunityPass
    function hasAccess(address holder, uint256 passId) external view returns (bool) {
        uint256 duration = _passes[passId].duration;
        if (duration == 0) return balanceOf(holder, passId) != 0;
        // A subscription's expiry is set only when its one soulbound token is minted.
        return block.timestamp < _holdings[passId][holder].expiry;
    }

    /// @inheritdoc ICommunityPass
    function passes(uint256 passId) external view returns (Pass memory) {
        return _existing(passId);
    }

    /// @inheritdoc ICommunityPass
    function expiryOf(uint256 passId, address holder) external view returns (uint256) {
        return _holdings[passId][holder].expiry;
    }

    /// @inheritdoc ICommunityPass
    function mintedTo(uint256 passId, address wallet) external view returns (uint256) {
        return _holdings[passId][wallet].minted;
    }

    /// @inheritdoc ICommunityPass
    function expiresAt(uint256 passId, address holder) external view returns (uint64) {
        return _holdings[passId][holder].expiry;
    }

    /// @inheritdoc ICommunityPass
    function isRenewable(uint256 passId) external view returns (bool) {
        return _passes[passId].duration != 0;
    }

    /// @inheritdoc ICommunityPass
    function termsOf(uint256 passId, address holder)
        external
        view
        returns (uint256 price, uint256 duration, uint256 expiry)
    {
        Holding storage h = _holdings[passId][holder];
        return (h.price, _existing(passId).duration, h.expiry);
    }

    /// @inheritdoc ICommunityPass
    function renewalPrice(uint256 passId, address holder) external view returns (uint256) {
        return _renewalPrice(_existing(passId).price, _policies[passId], _holdings[passId][holder].price);
    }

    /// @inheritdoc ICommunityPass
    function policy(uint256 passId) external view returns (Policy memory) {
        _existing(passId);
        return _policies[passId];
    }

    /// @inheritdoc ICommunityPass
    function lastPayment(uint256 passId, address holder) external view returns (Payment memory) {
        return _payments[passId][holder];
    }

    /// @inheritdoc ICommunityPass
    function refundable(uint256 passId, address holder) external view returns (uint256 refund, bool funded) {
        Pass storage p = _existing(passId);
        Payment memory pay = _payments[passId][holder];
        uint256 expiry = _holdings[passId][holder].expiry;
        if (pay.paid == 0 || block.timestamp >= pay.refundUntil || block.timestamp >= expiry) return (0, false);
        (refund,) = _refund(pay, expiry);
        funded = refund <= proceeds[p.creator][p.currency];
    }

    /// @inheritdoc ICommunityPass
    function pointsFor(uint256 passId, address account) external view returns (uint256) {
        _existing(passId);
        return _points(_policies[passId].pointsWeeks, account);
    }

    /// @inheritdoc ICommunityPass
    function canMint(uint256 passId, address account) external view returns (bool, Block) {
        Pass storage p = _passes[passId];
        if (p.creator == address(0)) return (false, Block.UnknownPass);
        if (p.paused) return (false, Block.SalesPaused);
        uint256 tokens = 1;
        if (p.minted + tokens > p.maxSupply) return (false, Block.SoldOut);
        if (_holdings[passId][account].minted + tokens > p.walletLimit) return (false, Block.WalletLimit);
        Block why = _missing(_policies[passId], account);
        return (why == Block.None, why);
    }

    /// @inheritdoc ICommunityPass
    function canRenew(uint256 passId, address account) external view returns (bool, Block) {
        Pass storage p = _passes[passId];
        if (p.creator == address(0)) return (false, Block.UnknownPass);
        if (p.duration == 0) return (false, Block.NotSubscription);
        if (_holdings[passId][account].expiry == 0) return (false, Block.NotHolder);
        if (p.paused) return (false, Block.SalesPaused);
        Block why = _missing(_policies[passId], account);
        return (why == Block.None, why);
    }

    /// @notice ERC-2981: the creator's royalty on a resale of a transferable pass; soulbound and
    ///         unknown passes report (address(0), 0).
    function royaltyInfo(uint256 passId, uint256 salePrice) external view returns (address, uint256) {
        Pass storage p = _passes[passId];
        uint256 bps = p.royaltyBps;
        if (bps == 0) return (address(0), 0);
        return (p.creator, salePrice * bps / _BPS);
    }

    /// @notice The pass's metadata URI (empty for an unknown id).
    function uri(uint256 passId) public view override returns (string memory) {
        return _passes[passId].uri;
    }

    /// @notice ERC-165: ERC-1155 (with metadata URI), ERC-2981 and AccessControl (not ERC-5643,
    ///         whose functions take no holder; see {ICommunityPass}).
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC1155, AccessControl, IERC165)
        returns (bool)
    {
        return interfaceId == type(IERC2981).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------ soulbound

    /// @dev Every ERC-1155 balance change passes here; a soulbound pass only ever moves by
    ///      minting, and a transferable one only to a wallet that meets the pass's requirements
    ///      (so a transfer never hands the rights to a wallet that could not have bought them).
    function _update(address from, address to, uint256[] memory ids, uint256[] memory values) internal override {
        if (from != address(0)) {
            for (uint256 i; i < ids.length; ++i) {
                if (!_passes[ids[i]].transferable) revert PassSoulbound(ids[i]);
                if (to != address(0)) _checkRequirements(ids[i], _policies[ids[i]], to);
            }
        }
        super._update(from, to, ids, values);
    }

    // ------------------------------------------------------------ helpers

    function _existing(uint256 passId) private view returns (Pass storage p) {
        p = _passes[passId];
        if (p.creator == address(0)) revert PassUnknown(passId);
    }

    function _creatorPass(uint256 passId) private view returns (Pass storage p) {
        p = _existing(passId);
        if (p.creator != msg.sender) revert PassNotCreator(passId, msg.sender);
    }

    /// @dev The checks every sale shares (the price bound is checked by each sale against the
    ///      unit price it charges).
    function _forSale(uint256 passId, uint256 quantity) private view returns (Pass storage p) {
        p = _existing(passId);
        if (p.paused) revert PassSalesPaused(passId);
        if (quantity == 0) revert PassZeroQuantity();
    }

    /// @dev During the notice after a price change a subscriber renews at no more than the unit
    ///      price they last paid; a lower current price applies at once.
    function _renewalPrice(uint256 current, Policy memory pol, uint256 snapshot) private view returns (uint256) {
        if (snapshot < current && block.timestamp < uint256(pol.priceChangedAt) + PRICE_NOTICE) return snapshot;
        return current;
    }

    /// @dev Reverts naming the first requirement `account` misses.
    function _checkRequirements(uint256 passId, Policy memory pol, address account) private view {
        if (pol.minPoints != 0) {
            uint256 points = _points(pol.pointsWeeks, account);
            if (points < pol.minPoints) revert PassNotEnoughPoints(passId, account, points, pol.minPoints);
        }
        if (pol.verifiedIdentity && !_verified(account)) revert PassIdentityNotVerified(passId, account);
    }

    /// @dev The first requirement `account` misses, as a {Block}.
    function _missing(Policy memory pol, address account) private view returns (Block) {
        if (pol.minPoints != 0 && _points(pol.pointsWeeks, account) < pol.minPoints) return Block.NotEnoughPoints;
        if (pol.verifiedIdentity && !_verified(account)) return Block.IdentityNotVerified;
        return Block.None;
    }

    /// @dev Lifetime points, or the sum of the last `weeks_` epochs' balances (the current one
    ///      included; epochs before 0 count nothing).
    function _points(uint256 weeks_, address account) private view returns (uint256 total) {
        if (weeks_ == 0) return POINTS.balanceOf(account);
        uint256 epoch = POINTS.currentEpoch();
        for (uint256 i; i < weeks_ && i <= epoch; ++i) {
            total += POINTS.epochBalanceOf(account, epoch - i);
        }
    }

    function _verified(address account) private view returns (bool) {
        uint256 tokenId = IDENTITY.identityOf(account);
        return tokenId != 0 && IDENTITY.profile(tokenId).verified;
    }

    /// @dev Records a subscription payment a cancel may refund, when the pass has a refund
    ///      window; otherwise clears an older one, whose pro-rata share the new expiry would
    ///      distort (one read when there is none).
    function _recordPayment(uint256 passId, Policy memory pol, address holder, uint256 from, uint256 paid) private {
        uint256 window = pol.refundWindow;
        if (window == 0 || paid == 0) {
            if (_payments[passId][holder].paid != 0) delete _payments[passId][holder];
            return;
        }
        uint256 until = block.timestamp + window;
        _payments[passId][holder] = Payment({from: uint64(from), refundUntil: uint64(until), paid: uint128(paid)});
        emit PaymentRefundable(passId, holder, from, until, paid);
    }

    /// @dev The unused part of a payment and where the expiry goes back to: the payment bought
    ///      [from, expiry); the part after max(now, from) is returned, never more than `paid`.
    function _refund(Payment memory pay, uint256 expiry) private view returns (uint256 refund, uint256 start) {
        uint256 from = pay.from;
        start = block.timestamp > from ? block.timestamp : from;
        refund = uint256(pay.paid) * (expiry - start) / (expiry - from);
    }

    /// @dev Checks supply and wallet limit, then records the tokens (one for a subscription,
    ///      whose expiry starts now) against both.
    function _allocate(Pass storage p, uint256 passId, address to, uint256 quantity)
        private
        returns (uint256 tokens, uint256 expiry)
    {
        uint256 duration = p.duration;
        tokens = duration == 0 ? quantity : 1;
        uint256 available = p.maxSupply - p.minted;
        if (tokens > available) revert PassSoldOut(passId, tokens, available);
        Holding storage h = _holdings[passId][to];
        uint256 remaining = p.walletLimit - h.minted;
        if (tokens > remaining) revert PassWalletLimit(passId, to, tokens, remaining);

        p.minted += uint64(tokens);
        h.minted += uint64(tokens);
        if (duration != 0) {
            expiry = _extended(passId, duration, block.timestamp, quantity);
            h.expiry = uint64(expiry);
        }
    }

    /// @dev `from + periods × duration`, bounded to 64 bits (which also bounds `periods`, so
    ///      `price × periods` cannot overflow in {_charge}).
    function _extended(uint256 passId, uint256 duration, uint256 from, uint256 periods) private pure returns (uint256) {
        if (periods > (type(uint64).max - from) / duration) revert PassTermTooLong(passId);
        return from + periods * duration;
    }

    /// @dev Checks `msg.value` and credits the creator and the treasury; the ERC-20 itself is
    ///      pulled afterwards by {_pull}, once every effect is written.
    function _charge(Pass storage p, uint256 price, uint256 quantity) private returns (uint256 cost, uint256 fee) {
        address currency = p.currency;
        cost = price * quantity;
        uint256 expectedValue = currency == address(0) ? cost : 0;
        if (msg.value != expectedValue) revert PassWrongValue(expectedValue, msg.value);
        if (cost == 0) return (0, 0);
        fee = cost * p.feeBps / _BPS;
        proceeds[p.creator][currency] += cost - fee;
        if (fee != 0) proceeds[treasury][currency] += fee;
    }

    /// @dev Pulls an ERC-20 cost from the buyer and rejects tokens that deliver less (or more).
    function _pull(address currency, uint256 cost) private {
        if (currency == address(0) || cost == 0) return;
        IERC20 token = IERC20(currency);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), cost);
        uint256 balance = token.balanceOf(address(this));
        if (balance != before + cost) {
            revert PassFeeOnTransfer(currency, cost, balance > before ? balance - before : 0);
        }
    }

    function _single(uint256 value) private pure returns (uint256[] memory array) {
        array = new uint256[](1);
        array[0] = value;
    }
}
