namespace Fathom.Auth;

/// <summary>Users and their per-experiment and per-registered-model permissions (MLflow basic-auth's database).</summary>
public interface IAuthStore
{
    Task<AuthUser> CreateUserAsync(string username, string password, bool isAdmin, CancellationToken cancellationToken);

    Task<AuthUser?> GetUserAsync(string username, CancellationToken cancellationToken);

    /// <summary>The user when the password matches, else null.</summary>
    Task<AuthUser?> AuthenticateAsync(string username, string password, CancellationToken cancellationToken);

    Task UpdatePasswordAsync(string username, string password, CancellationToken cancellationToken);

    Task UpdateAdminAsync(string username, bool isAdmin, CancellationToken cancellationToken);

    Task DeleteUserAsync(string username, CancellationToken cancellationToken);

    Task<ExperimentGrant> CreateExperimentPermissionAsync(string experimentId, string username, AccessLevel permission, CancellationToken cancellationToken);

    Task<ExperimentGrant?> GetExperimentPermissionAsync(string experimentId, string username, CancellationToken cancellationToken);

    Task UpdateExperimentPermissionAsync(string experimentId, string username, AccessLevel permission, CancellationToken cancellationToken);

    Task DeleteExperimentPermissionAsync(string experimentId, string username, CancellationToken cancellationToken);

    Task<RegisteredModelGrant> CreateRegisteredModelPermissionAsync(string name, string username, AccessLevel permission, CancellationToken cancellationToken);

    Task<RegisteredModelGrant?> GetRegisteredModelPermissionAsync(string name, string username, CancellationToken cancellationToken);

    Task UpdateRegisteredModelPermissionAsync(string name, string username, AccessLevel permission, CancellationToken cancellationToken);

    Task DeleteRegisteredModelPermissionAsync(string name, string username, CancellationToken cancellationToken);

    Task RenameRegisteredModelPermissionsAsync(string oldName, string newName, CancellationToken cancellationToken);

    Task<IReadOnlyList<ExperimentGrant>> ListExperimentPermissionsAsync(long userId, CancellationToken cancellationToken);

    Task<IReadOnlyList<RegisteredModelGrant>> ListRegisteredModelPermissionsAsync(long userId, CancellationToken cancellationToken);

    /// <summary>A user's grant on a project of jobs (Fathom's own table beside MLflow's, in the same database).</summary>
    Task CreateProjectPermissionAsync(string project, string username, AccessLevel permission, CancellationToken cancellationToken);

    Task<AccessLevel?> GetProjectPermissionAsync(string project, string username, CancellationToken cancellationToken);

    Task UpdateProjectPermissionAsync(string project, string username, AccessLevel permission, CancellationToken cancellationToken);

    Task DeleteProjectPermissionAsync(string project, string username, CancellationToken cancellationToken);
}
