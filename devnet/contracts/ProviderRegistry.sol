// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title Storage-provider registry
/// @notice Providers register themselves with the URL of their service; the owner marks the ones
///         it vouches for as endorsed. Clients read the list to choose where to store.
contract ProviderRegistry is Ownable {
    /// @notice One provider as `getProviders` lists it.
    struct ProviderInfo {
        uint256 id;
        address provider;
        string serviceUrl;
        bool endorsed;
    }

    struct Provider {
        address provider;
        string serviceUrl;
        bool endorsed;
    }

    /// @notice Longest service URL accepted, so listing providers stays cheap.
    uint256 public constant MAX_SERVICE_URL_LENGTH = 256;

    /// @dev Ids start at 1; index 0 of `_providers` is never used, so 0 means "none".
    Provider[] private _providers;
    mapping(address => uint256) private _idOf;

    event ProviderRegistered(uint256 indexed id, address indexed provider, string serviceUrl);
    event ServiceUrlUpdated(uint256 indexed id, address indexed provider, string serviceUrl);
    event ProviderEndorsed(uint256 indexed id, bool endorsed);

    error AlreadyRegistered(address provider, uint256 id);
    error NotRegistered(address provider);
    error UnknownProvider(uint256 id);
    error BadServiceUrl(uint256 length);

    constructor() Ownable(msg.sender) {
        _providers.push();
    }

    function registerProvider(string calldata serviceUrl) external returns (uint256 id) {
        uint256 existing = _idOf[msg.sender];
        if (existing != 0) revert AlreadyRegistered(msg.sender, existing);
        _checkServiceUrl(serviceUrl);
        id = _providers.length;
        _providers.push(Provider({provider: msg.sender, serviceUrl: serviceUrl, endorsed: false}));
        _idOf[msg.sender] = id;
        emit ProviderRegistered(id, msg.sender, serviceUrl);
    }

    function updateServiceUrl(string calldata serviceUrl) external {
        uint256 id = _idOf[msg.sender];
        if (id == 0) revert NotRegistered(msg.sender);
        _checkServiceUrl(serviceUrl);
        _providers[id].serviceUrl = serviceUrl;
        emit ServiceUrlUpdated(id, msg.sender, serviceUrl);
    }

    function setEndorsed(uint256 id, bool endorsed) external onlyOwner {
        _requireKnown(id);
        _providers[id].endorsed = endorsed;
        emit ProviderEndorsed(id, endorsed);
    }

    function providerCount() external view returns (uint256) {
        return _providers.length - 1;
    }

    function getProvider(uint256 id) external view returns (address provider, string memory serviceUrl, bool endorsed) {
        _requireKnown(id);
        Provider storage entry = _providers[id];
        return (entry.provider, entry.serviceUrl, entry.endorsed);
    }

    function providerIdOf(address provider) external view returns (uint256) {
        return _idOf[provider];
    }

    /// @notice Up to `limit` providers in id order, skipping the first `offset` (offset 0 = id 1).
    function getProviders(uint256 offset, uint256 limit) external view returns (ProviderInfo[] memory page) {
        uint256 total = _providers.length - 1;
        if (offset >= total) return new ProviderInfo[](0);
        uint256 count = total - offset < limit ? total - offset : limit;
        page = new ProviderInfo[](count);
        for (uint256 i = 0; i < count; ++i) {
            uint256 id = offset + i + 1;
            Provider storage entry = _providers[id];
            page[i] = ProviderInfo({id: id, provider: entry.provider, serviceUrl: entry.serviceUrl, endorsed: entry.endorsed});
        }
    }

    function _requireKnown(uint256 id) private view {
        if (id == 0 || id >= _providers.length) revert UnknownProvider(id);
    }

    function _checkServiceUrl(string calldata serviceUrl) private pure {
        uint256 length = bytes(serviceUrl).length;
        if (length == 0 || length > MAX_SERVICE_URL_LENGTH) revert BadServiceUrl(length);
    }
}
