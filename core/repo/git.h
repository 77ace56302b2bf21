/*
 * libgit2, loaded when a command first needs the case repository. Most
 * commands never touch it (kpi list, session list, impact, report), and
 * libgit2 with what it links (mbedTLS, SSH, Kerberos, PCRE, HTTP: 15
 * shared libraries, all bound at load) took about 2.7 ms of every
 * command's start on this machine, three times `git --version`. So
 * casebook does not link it: core/repo calls it through the pointers
 * below, filled by cb_git_load() from dlopen of the library named at build
 * time (CB_LIBGIT2_SONAME, libgit2's SONAME). Only core/repo includes this
 * header; every libgit2 function it calls must be in CB_GIT_FUNCTIONS (a
 * missing one is a link error, since casebook is not linked to libgit2).
 */
#ifndef CB_REPO_GIT_H
#define CB_REPO_GIT_H

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#define CB_GIT_FUNCTIONS(X) \
	X(git_blob_create_from_buffer) \
	X(git_blob_free) \
	X(git_blob_lookup) \
	X(git_blob_rawcontent) \
	X(git_blob_rawsize) \
	X(git_buf_dispose) \
	X(git_commit_author) \
	X(git_commit_create) \
	X(git_commit_create_v) \
	X(git_commit_free) \
	X(git_commit_id) \
	X(git_commit_lookup) \
	X(git_commit_message) \
	X(git_commit_parent) \
	X(git_commit_parentcount) \
	X(git_commit_tree) \
	X(git_diff_foreach) \
	X(git_diff_free) \
	X(git_diff_tree_to_tree) \
	X(git_error_clear) \
	X(git_error_last) \
	X(git_error_set_oom) \
	X(git_graph_descendant_of) \
	X(git_index_add) \
	X(git_index_conflict_get) \
	X(git_index_conflict_iterator_free) \
	X(git_index_conflict_iterator_new) \
	X(git_index_conflict_next) \
	X(git_index_conflict_remove) \
	X(git_index_free) \
	X(git_index_has_conflicts) \
	X(git_index_write_tree_to) \
	X(git_libgit2_init) \
	X(git_libgit2_opts) \
	X(git_libgit2_shutdown) \
	X(git_mempack_new) \
	X(git_mempack_reset) \
	X(git_merge_base) \
	X(git_merge_commits) \
	X(git_merge_file_from_index) \
	X(git_merge_file_result_free) \
	X(git_object_free) \
	X(git_object_peel) \
	X(git_odb_add_backend) \
	X(git_odb_free) \
	X(git_odb_hash) \
	X(git_odb_init_backend) \
	X(git_oid_cpy) \
	X(git_oid_equal) \
	X(git_oid_tostr) \
	X(git_packbuilder_free) \
	X(git_packbuilder_insert) \
	X(git_packbuilder_new) \
	X(git_packbuilder_set_threads) \
	X(git_packbuilder_write) \
	X(git_patch_free) \
	X(git_patch_from_blobs) \
	X(git_patch_num_hunks) \
	X(git_patch_to_buf) \
	X(git_reference_create) \
	X(git_reference_create_matching) \
	X(git_reference_delete) \
	X(git_reference_free) \
	X(git_reference_lookup) \
	X(git_reference_name_to_id) \
	X(git_reference_symbolic_target) \
	X(git_reference_type) \
	X(git_remote_create_with_opts) \
	X(git_remote_fetch) \
	X(git_remote_free) \
	X(git_remote_push) \
	X(git_repository_free) \
	X(git_repository_init_ext) \
	X(git_repository_is_bare) \
	X(git_repository_odb) \
	X(git_repository_open_ext) \
	X(git_repository_path) \
	X(git_revparse_single) \
	X(git_revwalk_free) \
	X(git_revwalk_new) \
	X(git_revwalk_next) \
	X(git_revwalk_push) \
	X(git_revwalk_sorting) \
	X(git_signature_free) \
	X(git_signature_new) \
	X(git_signature_now) \
	X(git_tree_create_updated) \
	X(git_tree_entry_byindex) \
	X(git_tree_entry_byname) \
	X(git_tree_entry_bypath) \
	X(git_tree_entry_free) \
	X(git_tree_entry_id) \
	X(git_tree_entry_name) \
	X(git_tree_entry_type) \
	X(git_tree_entrycount) \
	X(git_tree_free) \
	X(git_tree_id) \
	X(git_tree_lookup) \
	X(git_treebuilder_free) \
	X(git_treebuilder_insert) \
	X(git_treebuilder_new) \
	X(git_treebuilder_write)

#define CB_GIT_POINTER(f) extern __typeof__(f) *cb_git_##f;
CB_GIT_FUNCTIONS(CB_GIT_POINTER)
#undef CB_GIT_POINTER

/* Loads libgit2 once per process (thread-safe): 0, or CB_ERROR saying
 * which library or function could not be loaded. */
int cb_git_load(void);

/* Whether cb_git_load has succeeded (nothing to shut down before). */
int cb_git_loaded(void);

#ifndef CB_GIT_SHIM
#define git_blob_create_from_buffer (*cb_git_git_blob_create_from_buffer)
#define git_blob_free (*cb_git_git_blob_free)
#define git_blob_lookup (*cb_git_git_blob_lookup)
#define git_blob_rawcontent (*cb_git_git_blob_rawcontent)
#define git_blob_rawsize (*cb_git_git_blob_rawsize)
#define git_buf_dispose (*cb_git_git_buf_dispose)
#define git_commit_author (*cb_git_git_commit_author)
#define git_commit_create (*cb_git_git_commit_create)
#define git_commit_create_v (*cb_git_git_commit_create_v)
#define git_commit_free (*cb_git_git_commit_free)
#define git_commit_id (*cb_git_git_commit_id)
#define git_commit_lookup (*cb_git_git_commit_lookup)
#define git_commit_message (*cb_git_git_commit_message)
#define git_commit_parent (*cb_git_git_commit_parent)
#define git_commit_parentcount (*cb_git_git_commit_parentcount)
#define git_commit_tree (*cb_git_git_commit_tree)
#define git_diff_foreach (*cb_git_git_diff_foreach)
#define git_diff_free (*cb_git_git_diff_free)
#define git_diff_tree_to_tree (*cb_git_git_diff_tree_to_tree)
#define git_error_clear (*cb_git_git_error_clear)
#define git_error_last (*cb_git_git_error_last)
#define git_error_set_oom (*cb_git_git_error_set_oom)
#define git_graph_descendant_of (*cb_git_git_graph_descendant_of)
#define git_index_add (*cb_git_git_index_add)
#define git_index_conflict_get (*cb_git_git_index_conflict_get)
#define git_index_conflict_iterator_free (*cb_git_git_index_conflict_iterator_free)
#define git_index_conflict_iterator_new (*cb_git_git_index_conflict_iterator_new)
#define git_index_conflict_next (*cb_git_git_index_conflict_next)
#define git_index_conflict_remove (*cb_git_git_index_conflict_remove)
#define git_index_free (*cb_git_git_index_free)
#define git_index_has_conflicts (*cb_git_git_index_has_conflicts)
#define git_index_write_tree_to (*cb_git_git_index_write_tree_to)
#define git_libgit2_init (*cb_git_git_libgit2_init)
#define git_libgit2_opts (*cb_git_git_libgit2_opts)
#define git_libgit2_shutdown (*cb_git_git_libgit2_shutdown)
#define git_mempack_new (*cb_git_git_mempack_new)
#define git_mempack_reset (*cb_git_git_mempack_reset)
#define git_merge_base (*cb_git_git_merge_base)
#define git_merge_commits (*cb_git_git_merge_commits)
#define git_merge_file_from_index (*cb_git_git_merge_file_from_index)
#define git_merge_file_result_free (*cb_git_git_merge_file_result_free)
#define git_object_free (*cb_git_git_object_free)
#define git_object_peel (*cb_git_git_object_peel)
#define git_odb_add_backend (*cb_git_git_odb_add_backend)
#define git_odb_free (*cb_git_git_odb_free)
#define git_odb_hash (*cb_git_git_odb_hash)
#define git_odb_init_backend (*cb_git_git_odb_init_backend)
#define git_oid_cpy (*cb_git_git_oid_cpy)
#define git_oid_equal (*cb_git_git_oid_equal)
#define git_oid_tostr (*cb_git_git_oid_tostr)
#define git_packbuilder_free (*cb_git_git_packbuilder_free)
#define git_packbuilder_insert (*cb_git_git_packbuilder_insert)
#define git_packbuilder_new (*cb_git_git_packbuilder_new)
#define git_packbuilder_set_threads (*cb_git_git_packbuilder_set_threads)
#define git_packbuilder_write (*cb_git_git_packbuilder_write)
#define git_patch_free (*cb_git_git_patch_free)
#define git_patch_from_blobs (*cb_git_git_patch_from_blobs)
#define git_patch_num_hunks (*cb_git_git_patch_num_hunks)
#define git_patch_to_buf (*cb_git_git_patch_to_buf)
#define git_reference_create (*cb_git_git_reference_create)
#define git_reference_create_matching (*cb_git_git_reference_create_matching)
#define git_reference_delete (*cb_git_git_reference_delete)
#define git_reference_free (*cb_git_git_reference_free)
#define git_reference_lookup (*cb_git_git_reference_lookup)
#define git_reference_name_to_id (*cb_git_git_reference_name_to_id)
#define git_reference_symbolic_target (*cb_git_git_reference_symbolic_target)
#define git_reference_type (*cb_git_git_reference_type)
#define git_remote_create_with_opts (*cb_git_git_remote_create_with_opts)
#define git_remote_fetch (*cb_git_git_remote_fetch)
#define git_remote_free (*cb_git_git_remote_free)
#define git_remote_push (*cb_git_git_remote_push)
#define git_repository_free (*cb_git_git_repository_free)
#define git_repository_init_ext (*cb_git_git_repository_init_ext)
#define git_repository_is_bare (*cb_git_git_repository_is_bare)
#define git_repository_odb (*cb_git_git_repository_odb)
#define git_repository_open_ext (*cb_git_git_repository_open_ext)
#define git_repository_path (*cb_git_git_repository_path)
#define git_revparse_single (*cb_git_git_revparse_single)
#define git_revwalk_free (*cb_git_git_revwalk_free)
#define git_revwalk_new (*cb_git_git_revwalk_new)
#define git_revwalk_next (*cb_git_git_revwalk_next)
#define git_revwalk_push (*cb_git_git_revwalk_push)
#define git_revwalk_sorting (*cb_git_git_revwalk_sorting)
#define git_signature_free (*cb_git_git_signature_free)
#define git_signature_new (*cb_git_git_signature_new)
#define git_signature_now (*cb_git_git_signature_now)
#define git_tree_create_updated (*cb_git_git_tree_create_updated)
#define git_tree_entry_byindex (*cb_git_git_tree_entry_byindex)
#define git_tree_entry_byname (*cb_git_git_tree_entry_byname)
#define git_tree_entry_bypath (*cb_git_git_tree_entry_bypath)
#define git_tree_entry_free (*cb_git_git_tree_entry_free)
#define git_tree_entry_id (*cb_git_git_tree_entry_id)
#define git_tree_entry_name (*cb_git_git_tree_entry_name)
#define git_tree_entry_type (*cb_git_git_tree_entry_type)
#define git_tree_entrycount (*cb_git_git_tree_entrycount)
#define git_tree_free (*cb_git_git_tree_free)
#define git_tree_id (*cb_git_git_tree_id)
#define git_tree_lookup (*cb_git_git_tree_lookup)
#define git_treebuilder_free (*cb_git_git_treebuilder_free)
#define git_treebuilder_insert (*cb_git_git_treebuilder_insert)
#define git_treebuilder_new (*cb_git_git_treebuilder_new)
#define git_treebuilder_write (*cb_git_git_treebuilder_write)
#endif

#endif
