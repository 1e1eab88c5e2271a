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

/// @title CommunityPass
/// @notice Planet community passes. See {ICommunityPass} for the rules.
contract CommunityPass is ICommunityPass, IERC2981, ERC1155, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Highest platform fee the admin may set: 10%.
    uint16 public constant MAX_FEE_BPS = 1000;
    /// @notice Highest royalty a creator may choose: 10%.
    uint16 public constant MAX_ROYALTY_BPS = 1000;
    uint256 private constant _BPS = 10_000;

    /// @notice The identity registry whose holders may create passes.
    IIdentity public immutable IDENTITY;

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
    mapping(uint256 passId => mapping(address wallet => Holding)) private _holdings;

    constructor(IIdentity identity, address admin, address treasury_, uint16 platformFeeBps_) ERC1155("") {
        if (address(identity) == address(0) || admin == address(0)) revert PassZeroAddress();
        IDENTITY = identity;
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
        emit PassPriceChanged(passId, p.price, price);
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

    // ------------------------------------------------------------ buyers

    /// @inheritdoc ICommunityPass
    function mint(uint256 passId, address to, uint256 quantity, uint256 maxPrice) external payable nonReentrant {
        if (to == address(0)) revert PassZeroAddress();
        Pass storage p = _forSale(passId, quantity, maxPrice);
        // Effects: supply, wallet count, expiry, proceeds and the ERC-1155 balance are all final
        // before the two external calls below (ERC-20 pull, receiver hook).
        (uint256 tokens, uint256 expiry) = _allocate(p, passId, to, quantity);
        (uint256 cost, uint256 fee) = _charge(p, quantity);
        emit PassMinted(passId, msg.sender, to, quantity, cost, fee, p.feeBps, expiry);
        _update(address(0), to, _single(passId), _single(tokens));

        _pull(p.currency, cost);
        ERC1155Utils.checkOnERC1155Received(msg.sender, address(0), to, passId, tokens, "");
    }

    /// @inheritdoc ICommunityPass
    function renew(uint256 passId, address holder, uint256 periods, uint256 maxPrice) external payable nonReentrant {
        Pass storage p = _forSale(passId, periods, maxPrice);
        uint256 duration = p.duration;
        if (duration == 0) revert PassNotSubscription(passId);
        Holding storage h = _holdings[passId][holder];
        uint256 previous = h.expiry;
        if (previous == 0) revert PassNotHolder(passId, holder);

        uint256 from = previous > block.timestamp ? previous : block.timestamp;
        uint256 expiry = _extended(passId, duration, from, periods);
        h.expiry = uint64(expiry);
        (uint256 cost, uint256 fee) = _charge(p, periods);
        emit PassRenewed(passId, msg.sender, holder, periods, cost, fee, p.feeBps, previous, expiry);

        _pull(p.currency, cost);
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

    /// @notice ERC-165: ERC-1155 (with metadata URI), ERC-2981 and AccessControl.
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC1155, AccessControl, IERC165)
        returns (bool)
    {
        return interfaceId == type(IERC2981).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------ soulbound

    /// @dev Every ERC-1155 balance change passes here; a soulbound pass only ever moves by minting.
    function _update(address from, address to, uint256[] memory ids, uint256[] memory values) internal override {
        if (from != address(0)) {
            for (uint256 i; i < ids.length; ++i) {
                if (!_passes[ids[i]].transferable) revert PassSoulbound(ids[i]);
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

    /// @dev The checks every sale shares.
    function _forSale(uint256 passId, uint256 quantity, uint256 maxPrice) private view returns (Pass storage p) {
        p = _existing(passId);
        if (p.paused) revert PassSalesPaused(passId);
        if (quantity == 0) revert PassZeroQuantity();
        if (p.price > maxPrice) revert PassPriceAboveMax(passId, p.price, maxPrice);
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
    function _charge(Pass storage p, uint256 quantity) private returns (uint256 cost, uint256 fee) {
        address currency = p.currency;
        cost = uint256(p.price) * quantity;
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
